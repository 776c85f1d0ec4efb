// Hostile input against Arnold, from outside over loopback: bad and oversized audio, floods of requests and
// text turns, out-of-range numbers, generated control messages, stalled uploads, departures, the token, and
// SIGTERM. A healthy session works beside each attack; handles and processes return to their baseline.
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wav } from '@voxwire/codecs';
import {
  childProcessCount,
  handleCounts,
  heapAfterGcMiB,
  settleLeaks,
  spawnTsx,
  tone,
  waitUntil,
} from '@voxwire/test-support';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Arnold, startArnold } from '../src/server.js';
import { StreamClient, tempDir } from './helpers.js';

const tmp = tempDir();
const TOKEN = 'arnold-hostile-test-token-0123';
let arnold: Arnold;
let baseline: Record<string, number>;
let heapBaseline = 0;
const logs: string[] = [];
const open: StreamClient[] = [];

beforeAll(async () => {
  baseline = handleCounts();
  heapBaseline = heapAfterGcMiB();
  arnold = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, 'arnold.db'),
    pacing: 'fast',
    token: TOKEN,
    limits: { maxSessions: 4, maxAudioJobs: 1, maxQueuedTexts: 2, maxTtsChars: 2000, headersTimeoutMs: 500 },
    log: (line) => logs.push(line),
  });
}, 60_000);
afterEach(async () => {
  if (arnold) await closeSessions();
});
afterAll(async () => {
  for (const c of open) c.ws.terminate();
  await arnold?.close();
  tmp.remove();
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function session(): Promise<StreamClient> {
  const c = await StreamClient.open(arnold.url, TOKEN);
  open.push(c);
  return c;
}

async function post(path: string, body: Uint8Array | string, headers: Record<string, string> = auth) {
  const res = await fetch(`${arnold.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { error?: string; text?: string } };
}

/** Polls `GET /health` until `check` holds. */
async function waitUntilHealth(check: (h: Record<string, unknown>) => boolean, what: string): Promise<void> {
  await waitUntil(
    async () => check((await (await fetch(`${arnold.url}/health`)).json()) as Record<string, unknown>),
    what,
  );
}

/** Ends every session a test opened, and waits until the server has let them go. */
async function closeSessions(): Promise<void> {
  for (const c of open.splice(0)) await c.close();
  await waitUntilHealth((h) => h.sessions === 0, 'the sessions to end');
}

/** A WAV of a 440 Hz tone (peak 3000) lasting `ms`. */
function toneWav(rate: number, ms: number): Buffer {
  return wav.write({
    sampleRate: rate,
    channels: 1,
    data: tone(440, rate, (rate * ms) / 1000, 3000 / 32767),
  });
}

/** A 16-bit mono WAV header claiming `rate`, with `samples` samples. */
function wavWithRate(rate: number, samples: number): Buffer {
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

describe('authentication', () => {
  it('with a token, every route but /health and the page needs it; browsers may send it as a subprotocol', async () => {
    expect((await fetch(`${arnold.url}/health`)).status).toBe(200);
    expect((await post('/realtime/session/start', '', {})).status).toBe(401);
    expect((await post('/realtime/session/start', '', { authorization: 'Bearer wrong-token' })).status).toBe(
      401,
    );
    expect((await post('/audio/tts', '{"text":"hi"}', {})).status).toBe(401);
    expect((await fetch(`${arnold.url}/metrics`)).status).toBe(401);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${arnold.url.replace('http', 'ws')}/realtime/stream`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(refused).toBe(401);
    const browser = new WebSocket(`${arnold.url.replace('http', 'ws')}/realtime/stream`, [
      'arnold',
      `bearer.${TOKEN}`,
    ]);
    const ready = await new Promise<string>((resolve, reject) => {
      browser.on('message', (d) => resolve(JSON.parse(d.toString()).type as string));
      browser.on('error', reject);
    });
    expect(ready).toBe('session.ready');
    browser.terminate();
  });

  it('without a token, Arnold warns loudly at startup and listens on loopback', async () => {
    const lines: string[] = [];
    const open = await startArnold({
      port: 0,
      dbPath: join(tmp.dir, 'open.db'),
      pacing: 'fast',
      log: (l) => lines.push(l),
    });
    try {
      expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(lines.join('\n')).toMatch(/WARNING: Arnold is UNAUTHENTICATED.*ARNOLD_TOKEN/);
    } finally {
      await open.close();
    }
  });
});

/** Sends raw request text and resolves with the status line of the answer. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n')[0]));
  });
}

const UPGRADE_HEADERS =
  'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n';

describe('request targets that are no URL', () => {
  it('`//x:abc` on Arnold and on its embedded backend is answered, not a crash', async () => {
    const healthy = await session();
    const backendPort = Number(new URL(arnold.backend.url as string).port);
    expect(await rawRequest(arnold.port, `GET //x:abc HTTP/1.1\r\n${UPGRADE_HEADERS}`)).toMatch(/ 400 /);
    expect(
      await rawRequest(arnold.port, 'GET //x:abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/ 400 /);
    expect(await rawRequest(backendPort, `GET //x:abc HTTP/1.1\r\n${UPGRADE_HEADERS}`)).toMatch(/ 400 /);
    expect(await rawRequest(backendPort, `GET /elsewhere HTTP/1.1\r\n${UPGRADE_HEADERS}`)).toMatch(/ 404 /);
    expect((await healthy.say('show my recent workouts')).some((m) => m.type === 'response_text')).toBe(true);
  }, 30_000);
});

describe('one-shot audio endpoints', () => {
  it('malformed, 1 Hz, too short and too long clips get a 400/413 with a clear message, promptly', async () => {
    const healthy = await session();
    const cases: Array<[Uint8Array | string, number, RegExp]> = [
      ['not a wav at all', 400, /Expected a WAV file/],
      [wavWithRate(1, 10), 400, /sample rate 1 Hz is not supported/],
      [wavWithRate(4_000_000, 10), 400, /sample rate 4000000 Hz/],
      [toneWav(24000, 40), 400, /40 ms long; send at least 100 ms/],
      [toneWav(8000, 130_000), 413, /the limit is 120000 ms/],
    ];
    for (const [body, status, message] of cases) {
      for (const path of ['/audio/transcribe', '/audio/process-voice-command']) {
        const r = await post(path, body);
        expect(r.status, `${path} ${String(message)}`).toBe(status);
        expect(r.json.error).toMatch(message);
      }
    }
    expect(JSON.stringify(await healthy.say('show my recent workouts'))).toContain('response_done');
  }, 60_000);

  it('a short clip is answered and releases its backend session', async () => {
    const r = await post('/audio/transcribe', toneWav(16000, 150));
    expect(r.status).toBe(200);
    expect(typeof r.json.text).toBe('string');
    await waitUntilHealth(
      (h) => h.backend_sessions === 0 && h.audio_jobs === 0,
      'the backend session to end',
    );
  }, 60_000);

  it('bounds TTS text and concurrent jobs (a stalled upload holds the only slot: the next gets 429)', async () => {
    const long = await post('/audio/tts', JSON.stringify({ text: 'a'.repeat(2001) }));
    expect(long.status).toBe(413);
    expect(long.json.error).toMatch(/2001 characters; the limit is 2000/);
    for (const body of ['null', '[1]', '{"text": 5}', '{"text":"hi","voice":"x y z"}']) {
      expect((await post('/audio/tts', body)).status, body).toBe(400);
    }
    // An upload that announces 1000 bytes and sends 10: the job is counted while its body trickles in.
    const stalled = request(`${arnold.url}/audio/tts`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '1000' },
    });
    stalled.on('error', () => {});
    stalled.write('{"text": "');
    await waitUntilHealth((h) => h.audio_jobs === 1, 'the stalled upload to hold the slot');
    let busy = (await post('/audio/tts', '{"text":"hi"}')).status;
    expect(busy).toBe(429);
    stalled.destroy();
    // The slot comes back once the stalled client is gone.
    for (let i = 0; i < 100 && busy !== 200; i++)
      busy = (await post('/audio/tts', '{"text":"Done."}')).status;
    expect(busy).toBe(200);
  }, 60_000);

  it('a TTS client that leaves mid-synthesis leaves no espeak-ng process behind', async () => {
    const healthy = await session();
    const ac = new AbortController();
    const text = 'This is a rather long sentence that keeps the speech engine busy for a while. '.repeat(25);
    const leaving = fetch(`${arnold.url}/audio/tts`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ text }),
      signal: ac.signal,
    }).catch(() => undefined);
    await waitUntil(() => childProcessCount('espeak-ng') > 0, 'espeak-ng to start');
    ac.abort();
    await leaving;
    await waitUntil(() => childProcessCount('espeak-ng') === 0, 'espeak-ng to be stopped');
    const answer = await healthy.say('show my recent workouts');
    expect(answer.some((m) => m.type === 'response_text')).toBe(true);
  }, 60_000);
});

describe('the realtime stream', () => {
  it('1e308 reps is refused by validation, not logged as 308', async () => {
    const c = await session();
    const before = arnold.store.count();
    const msgs = await c.say('I did 1e308 reps of squat at 100 pounds');
    const result = msgs.find((m) => m.type === 'tool_result')?.output as { ok?: boolean; error?: string };
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/between 1 and 1000/);
    expect(arnold.store.count()).toBe(before);
  }, 60_000);

  it('text turns queue up to the limit; more get a busy error; generated control messages never break the session', async () => {
    const c = await session();
    const healthy = await session();
    const from = c.messages.length;
    for (let i = 0; i < 6; i++) c.send({ type: 'text_input', text: `show my last ${i + 1} workouts` });
    await c.until(
      () => c.messages.slice(from).filter((m) => m.type === 'error' && m.code === 'busy').length === 3,
      'three busy errors',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string({ maxLength: 200 }),
          fc
            .record(
              {
                type: fc.constantFrom('ping', 'commit', 'interrupt', 'playback', 'x', 'text_input'),
                text: fc.jsonValue(),
                played_ms: fc.oneof(fc.jsonValue(), fc.double(), fc.integer()),
              },
              { requiredKeys: ['type'] },
            )
            .map((o) => JSON.stringify(o)),
        ),
        async (raw) => {
          c.send(raw);
        },
      ),
      { numRuns: 200 },
    );
    const pingFrom = c.messages.length;
    c.send({ type: 'ping' });
    await c.next((m) => m.type === 'pong', pingFrom);
    expect(c.messages.filter((m) => m.type === 'error' && m.code === 'internal')).toEqual([]);
    expect((await healthy.say('show my recent workouts')).some((m) => m.type === 'response_text')).toBe(true);
  }, 120_000);

  it('caps sessions (503), cuts sockets stalled in their headers, and returns to the baseline', async () => {
    const four = [await session(), await session(), await session(), await session()];
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${arnold.url.replace('http', 'ws')}/realtime/stream`, { headers: auth });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(refused).toBe(503);
    const stalled = connect(arnold.port, '127.0.0.1', () =>
      stalled.write('POST /audio/tts HTTP/1.1\r\nHost: x\r\n'),
    );
    stalled.on('error', () => {});
    stalled.resume();
    await new Promise<void>((r) => stalled.once('close', () => r()));
    expect((await four[0].say('show my recent workouts')).some((m) => m.type === 'response_text')).toBe(true);
    for (const c of four) await c.close();
    open.length = 0;
    await arnold.close();
    arnold = undefined as unknown as Arnold;
    expect(await settleLeaks(baseline)).toEqual({});
    expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
  }, 60_000);
});

describe('SIGTERM', () => {
  it('with a session running, clients see 1001 and the process exits 0', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const server = spawnTsx(main, {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, PORT: '0', ARNOLD_DB: join(tmp.dir, 'sigterm.db'), ARNOLD_TOKEN: '' },
    });
    const out = server.output;
    await waitUntil(() => /Arnold on (http:\S+)/.test(out()), 'startup', 60_000);
    expect(out()).toMatch(/UNAUTHENTICATED/);
    const url = /Arnold on (http:\S+)/.exec(out())?.[1] as string;
    const c = await StreamClient.open(url);
    const code = new Promise<number>((r) => c.ws.once('close', (n) => r(n)));
    c.send({ type: 'text_input', text: 'show my recent workouts' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await code).toBe(1001);
  }, 90_000);
});
