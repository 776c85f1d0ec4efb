// Model, voice and VAD settings from the environment reach the model: Arnold is started from the variables a
// user would set (OPENAI_API_KEY, OPENAI_REALTIME_URL, ARNOLD_MODEL, ARNOLD_VOICE, ARNOLD_VAD_*), and a
// recording WebSocket relay in front of a key-checking @voxwire/realtime-server (OpenAI is unreachable
// here) shows what the model receives: the upgrade URL and key, and the session.update.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isVoxwireError } from '@voxwire/core';
import { createRealtimeServer, NullTranscriber, type RealtimeServer } from '@voxwire/realtime-server';
import { waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ArnoldConfigError } from '../src/config.js';
import { arnoldOptionsFromEnv } from '../src/env.js';
import { ArnoldResponder } from '../src/responder.js';
import { type Arnold, startArnold } from '../src/server.js';
import { StreamClient, tempDir } from './helpers.js';

type Event = { type: string; session?: Record<string, unknown> };

/** Relays WebSocket connections to `target`, recording upgrade requests and the JSON both ways. */
async function recordingRelay(target: string) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const upgrades: IncomingMessage[] = [];
  const toModel: Event[] = [];
  const fromModel: Event[] = [];
  wss.on('connection', (client, req) => {
    upgrades.push(req);
    const query = new URL(req.url ?? '/', 'http://x').search;
    const upstream = new WebSocket(`${target}${query}`, {
      headers: { authorization: req.headers.authorization ?? '' },
    });
    const early: WebSocket.RawData[] = [];
    upstream.on('open', () => {
      for (const m of early.splice(0)) upstream.send(m.toString());
    });
    client.on('message', (data) => {
      toModel.push(JSON.parse(data.toString()));
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
      else early.push(data);
    });
    upstream.on('message', (data) => {
      fromModel.push(JSON.parse(data.toString()));
      client.send(data.toString());
    });
    upstream.on('close', () => client.close());
    upstream.on('error', () => client.terminate());
    client.on('close', () => upstream.close());
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    upgrades,
    toModel,
    fromModel,
    close: () => wss.close(),
  };
}

const tmp = tempDir();
let model: RealtimeServer;
let relay: Awaited<ReturnType<typeof recordingRelay>>;
let arnold: Arnold | undefined;

beforeAll(async () => {
  model = await createRealtimeServer({
    apiKeys: ['sk-arnold-config'],
    pacing: 'fast',
    engines: { responder: new ArnoldResponder(), transcriber: new NullTranscriber() },
  });
  relay = await recordingRelay(model.url);
});

afterAll(async () => {
  await arnold?.close();
  relay?.close();
  await model?.close();
  tmp.remove();
});

describe('configuration', () => {
  it('sends the configured model, key, voice and VAD to the model', { timeout: 60000 }, async () => {
    arnold = await startArnold({
      ...arnoldOptionsFromEnv({
        PORT: '0',
        ARNOLD_DB: join(tmp.dir, 'arnold.db'),
        OPENAI_API_KEY: 'sk-arnold-config',
        OPENAI_REALTIME_URL: relay.url,
        ARNOLD_MODEL: 'gpt-realtime-mini',
        ARNOLD_VOICE: 'verse',
        ARNOLD_VAD_THRESHOLD: '0.7',
        ARNOLD_VAD_SILENCE_MS: '500',
        ARNOLD_VAD_PREFIX_MS: '100',
      }),
      log: () => {},
    });
    expect(arnold.backend).toMatchObject({ kind: 'openai', model: 'gpt-realtime-mini' });
    const client = await StreamClient.open(arnold.url);
    try {
      const [upgrade] = relay.upgrades;
      expect(new URL(upgrade.url ?? '', 'http://x').searchParams.get('model')).toBe('gpt-realtime-mini');
      expect(upgrade.headers.authorization).toBe('Bearer sk-arnold-config');
      const update = relay.toModel.find((e) => e.type === 'session.update');
      const sent = {
        voice: 'verse',
        vad: { threshold: 0.7, silence_duration_ms: 500, prefix_padding_ms: 100 },
      };
      expect(update?.session).toMatchObject({
        audio: {
          input: { turn_detection: { type: 'server_vad', ...sent.vad } },
          output: { voice: sent.voice },
        },
      });
      // The model took them: its session.updated says so, with the model asked for.
      await waitUntil(() => relay.fromModel.some((e) => e.type === 'session.updated'), 'session.updated');
      expect(relay.fromModel.find((e) => e.type === 'session.updated')?.session).toMatchObject({
        model: 'gpt-realtime-mini',
        audio: { input: { turn_detection: sent.vad }, output: { voice: sent.voice } },
      });
      const msgs = await client.say('I just did 8 reps of squat at 100 kilos');
      expect(msgs.find((m) => m.type === 'response_text')?.text).toBe(
        'Logged 8 reps of squat at 100 kilograms.',
      );
    } finally {
      await client.close();
    }
  });

  it('defaults to the design: gpt-realtime, alloy, threshold 0.5, silence 200 ms', () => {
    expect(arnoldOptionsFromEnv({})).toMatchObject({ port: 8000, host: '127.0.0.1', vad: {} });
    expect(arnoldOptionsFromEnv({ ARNOLD_MODEL: ' ', ARNOLD_VOICE: '' })).toMatchObject({
      model: undefined,
      voice: undefined,
    });
  });

  it('refuses malformed or out-of-range settings at startup, naming them', async () => {
    expect(() => arnoldOptionsFromEnv({ ARNOLD_VAD_SILENCE_MS: 'long' })).toThrow(
      'ARNOLD_VAD_SILENCE_MS must be a number, not "long".',
    );
    const refused = startArnold({ port: 0, dbPath: join(tmp.dir, 'x.db'), vad: { threshold: 2 } });
    await expect(refused).rejects.toThrow(ArnoldConfigError);
    await expect(refused).rejects.toSatisfy((err) => isVoxwireError(err, 'INVALID_CONFIG'));
  });
});
