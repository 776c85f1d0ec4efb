// End to end: speech played into a PulseAudio null sink is captured with VAD and streamed by the
// RealtimeConnectionManager to a local @voxwire/realtime-server, whose server VAD commits the turn and answers.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRealtimeServer, NullTranscriber, ScriptedResponder } from '@voxwire/realtime-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NevilAgent, startNevilAgent } from '../src/agent.js';
import { RealtimeConnectionManager, toGaSession } from '../src/index.js';
import { startTestPulse, type TestPulse } from './pulse.js';
import { makeSpeech, type SpeechFile, until } from './speech.js';

let pulse: TestPulse;
let speech: SpeechFile;
let agent: NevilAgent | undefined;

beforeAll(async () => {
  pulse = await startTestPulse();
  speech = makeSpeech('Hello Nevil. Please turn left.');
});
afterAll(async () => {
  await agent?.stop();
  await pulse?.stop();
});

describe('Nevil against the local realtime server', () => {
  it('streams captured speech (VAD on) and gets a committed input buffer and a response', {
    timeout: 90_000,
  }, async () => {
    const lines: string[] = [];
    agent = await startNevilAgent({
      localServer: {
        pacing: 'fast',
        engines: {
          transcriber: new NullTranscriber(),
          responder: new ScriptedResponder([{ text: 'Turning left.' }]),
        },
      },
      log: (l) => lines.push(l),
    });
    const client = agent.connection.client;
    const seen: string[] = [];
    const errors: string[] = [];
    client.on('event', (e) => seen.push(e.type));
    client.on('error', (e) => errors.push(e.message));
    let voice: string | undefined;
    client.on('session.updated', (e) => {
      voice = e.session.audio?.output?.voice;
    });
    await until(() => voice !== undefined, 'session.updated');
    expect(voice).toBe('alloy'); // the design's beta session.update, translated to GA
    await until(() => (agent?.manager.getStats().totalSamples ?? 0) > 24000, '1 s of captured silence');
    expect(agent.manager.getStats().totalChunks).toBe(0); // VAD: silence is not sent
    await pulse.play(speech.path);
    await until(() => seen.includes('input_audio_buffer.committed'), 'the server to commit the turn', 60_000);
    await until(() => seen.includes('response.done'), 'the response', 60_000);
    expect(seen).toContain('input_audio_buffer.speech_started');
    expect(seen).toContain('input_audio_buffer.speech_stopped');
    expect(lines).toContain('model: Turning left.');
    const stats = agent.manager.getStats();
    expect(stats.totalChunks).toBeGreaterThan(0);
    expect(stats.suppressedSamples).toBeGreaterThan(24000 - 7200); // the leading second minus the 300 ms prefix
    expect(client.metrics().messagesSent).toBeGreaterThanOrEqual(stats.totalChunks);
    expect(errors).toEqual([]);
    await agent.stop();
    agent = undefined;
    expect(lines.some((l) => /^sent \d+ chunks/.test(l))).toBe(true);
  });

  it('runs as `pnpm start` does (Example 4): the embedded local server answers captured speech', {
    timeout: 90_000,
  }, async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, NEVIL_SECONDS: '15', OPENAI_API_KEY: '', REALTIME_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await until(() => out.includes('speak now'), 'the agent to start', 60_000);
      expect(out).toMatch(/connected to the local realtime server ws:\/\/127\.0\.0\.1:\d+/);
      expect(out).toContain(`recording from ${pulse.sink}.monitor (pulse) at 24000 Hz`);
      await pulse.play(speech.path);
      await until(() => /response completed/.test(out), 'the local model to answer', 60_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('local VAD: speech');
    expect(out).toMatch(/server: input committed/);
    expect(out).toMatch(/model: \S/);
    expect(out).toMatch(/sent [1-9]\d* chunks/);
  });

  it('keeps audio appended while the connection is down and sends it after the reconnect', {
    timeout: 60_000,
  }, async () => {
    const engines = () => ({
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([{ text: 'Ok.' }]),
    });
    const first = await createRealtimeServer({ pacing: 'fast', engines: engines() });
    const conn = new RealtimeConnectionManager({
      url: first.url,
      session: { turn_detection: null }, // beta-shaped: the turn is committed by hand below
      client: { reconnect: { initialDelayMs: 100, maxDelayMs: 400, maxRetries: 50 } },
    });
    const errors: string[] = [];
    conn.client.on('error', (e) => errors.push(e.message));
    await conn.start();
    const down = new Promise((r) => conn.client.once('reconnecting', r));
    await first.close();
    await down;
    expect(conn.connected).toBe(false);
    const tone = new Int16Array(4800);
    for (let i = 0; i < tone.length; i++)
      tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 24000));
    conn.appendAudio(tone, 24000, 1); // 200 ms while disconnected
    conn.sendEvent({ type: 'input_audio_buffer.commit' });
    const back = new Promise((r) => conn.client.once('reconnected', r));
    const committed = new Promise((r) => conn.client.once('input_audio_buffer.committed', r));
    const second = await createRealtimeServer({ port: first.port, pacing: 'fast', engines: engines() });
    try {
      await back;
      await committed; // the server got the 200 ms: a commit of less than 100 ms is an error
      expect(errors).toEqual([]);
    } finally {
      conn.stop();
      await second.close();
    }
  });

  it('sends what was queued before start() resolved, keeping the newest chunks when over the bound', {
    timeout: 30_000,
  }, async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: { transcriber: new NullTranscriber(), responder: new ScriptedResponder([{ text: 'Ok.' }]) },
    });
    const conn = new RealtimeConnectionManager({
      url: server.url,
      session: { turn_detection: null },
      maxPendingChunks: 2,
    });
    try {
      const chunk = new Int16Array(4800).fill(3000);
      for (let i = 0; i < 3; i++) conn.appendAudio(chunk, 24000, 1);
      conn.sendEvent({ type: 'input_audio_buffer.commit' });
      expect(conn.droppedChunks).toBe(1);
      const committed = new Promise((r) => conn.client.once('input_audio_buffer.committed', r));
      await conn.start();
      await committed;
      expect(conn.client.metrics().messagesSent).toBeGreaterThanOrEqual(4); // session, 2 appends, commit
    } finally {
      conn.stop();
      await server.close();
    }
  });

  it('queues calls made before start() resolves and refuses unsupported events', async () => {
    const conn = new RealtimeConnectionManager({
      url: 'ws://127.0.0.1:9/v1/realtime',
      client: { reconnect: false },
    });
    conn.appendAudio(new Int16Array(4800), 24000, 1);
    expect(conn.connected).toBe(false);
    expect(() => conn.sendEvent({ type: 'conversation.item.truncate' })).toThrow(/does not support/);
    await expect(conn.start()).rejects.toThrow();
    conn.stop();
    expect(() => conn.sendEvent({ type: 'response.create' })).toThrow(/stopped/);
  });

  it('translates the beta session shape to GA', () => {
    expect(
      toGaSession({
        modalities: ['text', 'audio'],
        input_audio_format: 'pcm16',
        voice: 'alloy',
        turn_detection: null,
        temperature: 0.8,
        instructions: 'Be Nevil.',
      }),
    ).toEqual({
      instructions: 'Be Nevil.',
      output_modalities: ['audio'],
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: null },
        output: { voice: 'alloy' },
      },
    });
    expect(() => toGaSession({ input_audio_format: 'mp3' })).toThrow(/not one of/);
    expect(() => toGaSession({ output_audio_format: 'mp3' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
