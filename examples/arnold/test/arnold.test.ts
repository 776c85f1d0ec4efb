// End to end over loopback: Arnold's server (with the embedded realtime server and a real SQLite file)
// started by the test, driven through its WebSocket and HTTP endpoints.
import { join } from 'node:path';
import { RealtimeClientError } from '@voxwire/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Arnold, startArnold } from '../src/server.js';
import { type Msg, postJson, StreamClient, tempDir } from './helpers.js';

const tmp = tempDir();
const dbPath = join(tmp.dir, 'data', 'arnold.db');
let arnold: Arnold;
const logs: string[] = [];

async function start(): Promise<Arnold> {
  return startArnold({
    port: 0,
    dbPath,
    pacing: 'fast',
    // Short first retry so the reconnect test does not wait a second; the rest is the design's policy.
    reconnect: { maxRetries: 5, initialDelayMs: 100, maxDelayMs: 60000, factor: 2 },
    log: (line) => logs.push(line),
  });
}

beforeAll(async () => {
  arnold = await start();
});

afterAll(async () => {
  await arnold?.close();
  tmp.remove();
});

function toolResults(msgs: Msg[], name: string): Array<Record<string, unknown>> {
  return msgs
    .filter((m) => m.type === 'tool_result' && m.name === name)
    .map((m) => m.output as Record<string, unknown>);
}

function responseText(msgs: Msg[]): string {
  return msgs
    .filter((m) => m.type === 'response_text')
    .map((m) => String(m.text))
    .join(' ');
}

describe('arnold', () => {
  it('POST /realtime/session/start describes the stream', async () => {
    const { status, json } = await postJson(`${arnold.url}/realtime/session/start`);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      status: 'ready',
      websocket_url: '/realtime/stream',
      audio_format: { encoding: 'pcm16', sample_rate: 24000, channels: 1 },
    });
  });

  it('logs a workout by text, stores the row, reads it back as a recent workout', {
    timeout: 120000,
  }, async () => {
    const client = await StreamClient.open(arnold.url);
    try {
      const logged = await client.say('I just did 10 reps of bench press at 185 pounds');
      const call = logged.find((m) => m.type === 'tool_call');
      expect(call?.name).toBe('log_workout');
      expect(JSON.parse(String(call?.arguments))).toEqual({
        exercise: 'bench press',
        reps: 10,
        weight: 185,
        unit: 'lbs',
      });
      const [result] = toolResults(logged, 'log_workout');
      expect(result).toMatchObject({ ok: true, workout: { exercise: 'bench press', reps: 10, weight: 185 } });
      expect(responseText(logged)).toContain('Logged 10 reps of bench press at 185 pounds');
      expect(client.audioBytes).toBeGreaterThan(24000); // more than half a second of speech back
      expect(arnold.store.count()).toBe(1);

      const recent = await client.say('show me my recent workouts');
      const [rows] = toolResults(recent, 'get_recent_workouts');
      expect(rows.ok).toBe(true);
      expect(rows.workouts).toEqual([
        expect.objectContaining({ exercise: 'bench press', reps: 10, weight: 185, unit: 'lbs' }),
      ]);
      expect(responseText(recent)).toContain('10 reps of bench press at 185 pounds');
    } finally {
      await client.close();
    }
  });

  it('refuses negative reps and unknown units with a message, storing nothing', {
    timeout: 120000,
  }, async () => {
    const client = await StreamClient.open(arnold.url);
    try {
      const before = arnold.store.count();
      const neg = await client.say('I did -3 reps of squat at 100 pounds');
      expect(toolResults(neg, 'log_workout')[0]).toMatchObject({ ok: false, field: 'reps' });
      expect(responseText(neg)).toMatch(/Reps must be a whole number.*Nothing was logged/);
      const stones = await client.say('I did 5 reps of squat at 20 stones');
      expect(toolResults(stones, 'log_workout')[0]).toMatchObject({ ok: false, field: 'unit' });
      expect(responseText(stones)).toMatch(/pounds or kilograms/);
      expect(arnold.store.count()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('malformed JSON and non-PCM binary get JSON errors and the socket stays open', {
    timeout: 120000,
  }, async () => {
    const client = await StreamClient.open(arnold.url);
    try {
      client.send('{"type": "text_input", "text": ');
      const bad = await client.next((m) => m.type === 'error');
      expect(bad).toMatchObject({ source: 'client', code: 'invalid_json' });

      let from = client.messages.length;
      client.ws.send(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'));
      expect(await client.next((m) => m.type === 'error', from)).toMatchObject({ code: 'invalid_audio' });

      from = client.messages.length;
      client.ws.send(Buffer.from([1, 2, 3]));
      expect(await client.next((m) => m.type === 'error', from)).toMatchObject({ code: 'invalid_audio' });

      from = client.messages.length;
      client.send({ type: 'launch_rocket' });
      expect(await client.next((m) => m.type === 'error', from)).toMatchObject({ code: 'unknown_type' });

      from = client.messages.length;
      client.send({ type: 'text_input', text: '' });
      expect(await client.next((m) => m.type === 'error', from)).toMatchObject({ code: 'invalid_message' });

      // Still usable after all of that.
      from = client.messages.length;
      client.send({ type: 'ping' });
      await client.next((m) => m.type === 'pong', from);
      const answer = await client.say('show me my last 2 workouts');
      expect(toolResults(answer, 'get_recent_workouts')[0]).toMatchObject({ ok: true });
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    } finally {
      await client.close();
    }
  });

  it('a backend error reaches the client as backend_error, the realtime client code in detail_code', {
    timeout: 120000,
  }, async () => {
    const before = new Set(arnold.sessions);
    const client = await StreamClient.open(arnold.url);
    try {
      const session = [...arnold.sessions].find((s) => !before.has(s));
      session?.realtime.emit('error', new RealtimeClientError('SERVER', 'The model refused the request.'));
      expect(await client.next((m) => m.type === 'error')).toEqual({
        type: 'error',
        source: 'backend',
        code: 'backend_error',
        detail_code: 'SERVER',
        message: 'The model refused the request.',
      });
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    } finally {
      await client.close();
    }
  });

  it('reconnects when the realtime backend drops mid-call, keeping the conversation', {
    timeout: 120000,
  }, async () => {
    const client = await StreamClient.open(arnold.url);
    try {
      const logged = await client.say('I just did 8 reps of squat at 225 pounds');
      expect(toolResults(logged, 'log_workout')[0]).toMatchObject({ ok: true });
      const from = client.messages.length;
      expect(arnold.backend.dropConnections()).toBeGreaterThan(0);
      await client.next((m) => m.type === 'backend_reconnecting', from);
      const back = await client.next((m) => m.type === 'backend_reconnected', from);
      expect(back.restored_items).toEqual(expect.any(Number));
      expect(Number(back.restored_items)).toBeGreaterThanOrEqual(2);

      // The new backend session was given the conversation: the first thing said is still known.
      const recall = await client.say('what did I say first');
      expect(responseText(recall)).toContain('8 reps of squat at 225 pounds');
      const progress = await client.say("what's my squat progress?");
      expect(toolResults(progress, 'get_progress')[0]).toMatchObject({ ok: true, sessions: 1 });

      const metrics = (await (await fetch(`${arnold.url}/metrics`)).json()) as Record<string, unknown>;
      expect(metrics.reconnects).toBeGreaterThanOrEqual(1);
      expect(metrics.function_calls).toBeGreaterThanOrEqual(2);
      expect(metrics.messages_sent).toBeGreaterThan(0);
      expect(metrics.messages_received).toBeGreaterThan(0);
      expect(metrics.average_latency_ms).toEqual(expect.any(Number));
      expect(metrics).toHaveProperty('uptime_seconds');
      expect(metrics).toHaveProperty('errors');
    } finally {
      await client.close();
    }
  });

  it('resumes a turn whose answer was cut off by a backend drop', { timeout: 120000 }, async () => {
    // A second server paced like the real service, so the drop lands while Arnold is still speaking.
    const paced = await startArnold({
      port: 0,
      dbPath: join(tmp.dir, 'paced.db'),
      pacing: 'realtime',
      reconnect: { maxRetries: 5, initialDelayMs: 100, maxDelayMs: 60000, factor: 2 },
      log: (line) => logs.push(line),
    });
    const client = await StreamClient.open(paced.url);
    try {
      client.send({ type: 'text_input', text: 'I just did 12 reps of deadlift at 100 kilograms' });
      await client.until(() => client.audioBytes > 0, 'the first audio of the answer');
      const cutAt = client.messages.length;
      expect(client.messages.some((m) => m.type === 'response_text')).toBe(false); // still speaking
      paced.backend.dropConnections();
      const back = await client.next((m) => m.type === 'backend_reconnected', cutAt);
      expect(back.resumed_turn).toBe(true);
      const answer = await client.next((m) => m.type === 'response_text', cutAt);
      expect(answer.text).toBe('Logged 12 reps of deadlift at 100 kilograms.');
      await client.next((m) => m.type === 'turn_done', cutAt);
      expect(paced.store.count()).toBe(1); // the tool ran once; only the spoken answer was repeated
    } finally {
      await client.close();
      await paced.close();
    }
  });

  it('pings clients and drops one that stops answering', { timeout: 120000 }, async () => {
    const beating = await startArnold({
      port: 0,
      dbPath: join(tmp.dir, 'heartbeat.db'),
      pacing: 'fast',
      heartbeatMs: 200,
      log: (line) => logs.push(line),
    });
    try {
      const url = `${beating.url.replace('http', 'ws')}/realtime/stream`;
      // A live client answers pings (ws does so by itself) and stays connected across several of them.
      const live = new WebSocket(url);
      let pings = 0;
      await new Promise<void>((resolve) => {
        live.on('ping', () => {
          if (++pings === 5) resolve();
        });
      });
      expect(live.readyState).toBe(WebSocket.OPEN);
      // A client that has gone silent (no pongs) is dropped.
      const dead = new WebSocket(url, { autoPong: false });
      const code = await new Promise<number>((resolve) => dead.once('close', (c) => resolve(c)));
      expect(code).toBe(1006); // terminated, no closing handshake
      expect(live.readyState).toBe(WebSocket.OPEN);
      live.close();
    } finally {
      await beating.close();
    }
  });

  it('keeps the data across a restart', { timeout: 120000 }, async () => {
    const before = arnold.store.count();
    expect(before).toBeGreaterThanOrEqual(2);
    await arnold.close();
    arnold = await start();
    expect(arnold.store.count()).toBe(before);
    expect(arnold.store.schemaVersion).toBe(2);
    const client = await StreamClient.open(arnold.url);
    try {
      const recent = await client.say('show me my recent workouts');
      const [rows] = toolResults(recent, 'get_recent_workouts');
      const exercises = (rows.workouts as Array<{ exercise: string }>).map((w) => w.exercise);
      expect(exercises).toEqual(['squat', 'bench press']);
    } finally {
      await client.close();
    }
  });
});
