// "Use it for real", as far as this machine allows (OpenAI and Twilio are not reachable here): the
// variables of a real deployment reach the wire. An OpenAI stand-in records what the agent sends it;
// a Twilio stream must be signed for the public URL; a token without that URL stops the start.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type OpusAgent, startOpusAgent } from '../src/agent.js';
import { configFromEnv, OpusAgentConfigError } from '../src/config.js';

const here = fileURLToPath(new URL('..', import.meta.url));
let agent: OpusAgent | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  for (const c of cleanups.splice(0)) await c();
});

/** A Realtime API stand-in: records each upgrade request and every client event, answers session.created. */
async function fakeOpenAi() {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const upgrades: IncomingMessage[] = [];
  const events: Array<{ type: string; session?: Record<string, unknown> }> = [];
  wss.on('connection', (ws, req) => {
    upgrades.push(req);
    ws.send(JSON.stringify({ type: 'session.created', event_id: 'e0', session: { type: 'realtime' } }));
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  });
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/realtime`, upgrades, events };
}

/** Runs src/main.ts with `env` added (on a free port) until it exits: its exit code and stderr. */
async function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: here,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

describe('OpusAgent deployed', () => {
  it('with OPENAI_API_KEY, OPENAI_REALTIME_URL and OPENAI_MODEL every call opens that endpoint with the key and model', {
    timeout: 30_000,
  }, async () => {
    const openai = await fakeOpenAi();
    const config = configFromEnv({
      PORT: '0',
      OPENAI_API_KEY: 'sk-test-123',
      OPENAI_REALTIME_URL: openai.url,
      OPENAI_MODEL: 'gpt-realtime-mini',
      SILENCE_DURATION_MS: '650',
    });
    agent = await startOpusAgent({ ...config, audiocodesToken: 't', log: () => {}, warn: () => {} });
    // No local model is started when a key is given.
    expect(agent.localModel).toBeNull();
    expect(agent.modelEndpoint).toBe(openai.url);
    const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${agent.port}/twilio/media-stream`, speed: 4 });
    await sim.connect();
    await waitUntil(() => openai.upgrades.length === 1, 'the model connection');
    const req = openai.upgrades[0];
    expect(req.headers.authorization).toBe('Bearer sk-test-123');
    expect(new URL(req.url ?? '', 'http://x').searchParams.get('model')).toBe('gpt-realtime-mini');
    await waitUntil(
      () => openai.events.some((e) => e.type === 'session.update'),
      'the session configuration',
    );
    const session = openai.events.filter((e) => e.type === 'session.update').map((e) => e.session);
    expect(session[0]).toMatchObject({
      audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 650 } } },
    });
    await sim.stop();
  });

  it('defaults to OpenAI’s own endpoint when only OPENAI_API_KEY is set', async () => {
    const config = configFromEnv({ PORT: '0', OPENAI_API_KEY: 'sk-x' });
    agent = await startOpusAgent({ ...config, audiocodesToken: 't', log: () => {}, warn: () => {} });
    expect(agent.modelEndpoint).toBe('wss://api.openai.com/v1/realtime');
  });

  it('with TWILIO_AUTH_TOKEN and PUBLIC_URL the TwiML names the public URL and only signed streams are taken', {
    timeout: 30_000,
  }, async () => {
    const warnings: string[] = [];
    const config = configFromEnv({
      PORT: '0',
      TWILIO_AUTH_TOKEN: 'tw-secret',
      PUBLIC_URL: 'wss://voice.example.com',
    });
    agent = await startOpusAgent({
      ...config,
      audiocodesToken: 't',
      log: () => {},
      warn: (l) => warnings.push(l),
    });
    expect(warnings).toEqual([]); // signed streams: no warning about unsigned ones
    const body = await (await fetch(`${agent.url}/twilio/voice`, { method: 'POST' })).text();
    expect(body).toContain('<Stream url="wss://voice.example.com/twilio/media-stream"');
    const local = `ws://127.0.0.1:${agent.port}/twilio/media-stream`;
    const forged = new TwilioSimulator({
      url: local,
      authToken: 'wrong',
      signatureUrl: 'wss://voice.example.com/twilio/media-stream',
    });
    await expect(forged.connect()).rejects.toThrow();
    const signed = new TwilioSimulator({
      url: local,
      authToken: 'tw-secret',
      signatureUrl: 'wss://voice.example.com/twilio/media-stream',
      speed: 4,
    });
    await signed.connect();
    await waitUntil(() => agent!.bridges.size === 1, 'the signed call');
    await signed.stop();
  });

  it('TWILIO_AUTH_TOKEN without PUBLIC_URL: startup fails with a typed error, and main.ts exits 2 saying what to set', {
    timeout: 60_000,
  }, async () => {
    await expect(
      startOpusAgent({ port: 0, audiocodesToken: 't', twilioAuthToken: 'tw', log: () => {}, warn: () => {} }),
    ).rejects.toBeInstanceOf(OpusAgentConfigError);
    const { code, stderr } = await runMain({ TWILIO_AUTH_TOKEN: 'tw', PUBLIC_URL: '' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^opusagent: TWILIO_AUTH_TOKEN is set but PUBLIC_URL is not.*wss:\/\//m);
  });

  it('a bad fleet duration (DRAIN_TIMEOUT_MS=-5 with REDIS_URL) ends main.ts with exit 2 naming it, before anything starts', {
    timeout: 60_000,
  }, async () => {
    // No Redis listens there: the check must come before any connection attempt.
    const { code, stderr } = await runMain({ REDIS_URL: 'redis://127.0.0.1:1', DRAIN_TIMEOUT_MS: '-5' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^opusagent: DRAIN_TIMEOUT_MS must be a non-negative number/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
