// With an API key Arnold uses a remote Realtime service instead of the embedded one. No internet here, so
// the "remote" is a @voxwire/realtime-server on loopback that demands the key, as OpenAI does.
import { join } from 'node:path';
import { createRealtimeServer, NullTranscriber, type RealtimeServer } from '@voxwire/realtime-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ArnoldResponder } from '../src/responder.js';
import { type Arnold, startArnold } from '../src/server.js';
import { postJson, StreamClient, tempDir } from './helpers.js';

const tmp = tempDir();
let remote: RealtimeServer;
const started: Arnold[] = [];

beforeAll(async () => {
  remote = await createRealtimeServer({
    apiKeys: ['sk-arnold-test'],
    pacing: 'fast',
    engines: { responder: new ArnoldResponder(), transcriber: new NullTranscriber() },
  });
});

afterAll(async () => {
  for (const a of started) await a.close();
  await remote?.close();
  tmp.remove();
});

async function arnoldWithKey(key: string): Promise<Arnold> {
  const a = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, `${key}.db`),
    openaiApiKey: key,
    openaiUrl: remote.url,
    reconnect: { maxRetries: 0 },
    log: () => {},
  });
  started.push(a);
  return a;
}

describe('with an API key', () => {
  it('sends the key to the remote service and runs the tools there', { timeout: 120000 }, async () => {
    const arnold = await arnoldWithKey('sk-arnold-test');
    expect(arnold.backend.kind).toBe('openai');
    expect((await postJson(`${arnold.url}/realtime/session/start`)).json.backend).toBe('openai');
    const client = await StreamClient.open(arnold.url);
    try {
      const msgs = await client.say('I just did 3 reps of overhead press at 95 pounds');
      expect(msgs.find((m) => m.type === 'response_text')?.text).toBe(
        'Logged 3 reps of overhead press at 95 pounds.',
      );
      expect(arnold.store.count()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('reports a refused key to the client as a JSON error and closes', { timeout: 120000 }, async () => {
    const arnold = await arnoldWithKey('sk-wrong');
    const ws = new WebSocket(`${arnold.url.replace('http', 'ws')}/realtime/stream`);
    const messages: Array<{ type: string; code?: string }> = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1011);
    expect(messages).toContainEqual(expect.objectContaining({ type: 'error', code: 'backend_unavailable' }));
    expect(messages.some((m) => m.type === 'session.ready')).toBe(false);
  });
});
