// Hostile input against both Jarvis services, from outside over loopback: generated bodies and messages for
// every parser (fast-check), non-object JSON, connection floods, sockets stalled mid-frame, abrupt departures
// and SIGTERM. A healthy session works beside each attack; handles and processes return to their baseline.
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  childProcessCount,
  handleCounts,
  heapAfterGcMiB,
  settleLeaks,
  spawnTsx,
  waitUntil,
} from '@voxwire/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jarvis, startJarvis } from '../src/index.js';
import { Client, testTokens } from './helpers.js';

const { tokens, tokenOf } = testTokens(6);
let jarvis: Jarvis;
let closed = false;
let baseline: Record<string, number>;
let heapBaseline = 0;
const clients: Client[] = [];

beforeAll(async () => {
  baseline = handleCounts();
  heapBaseline = heapAfterGcMiB();
  jarvis = await startJarvis({
    tokens,
    corePort: 0,
    audioPort: 0,
    core: {
      limits: { maxConnectionsPerUser: 3, maxConnections: 12, heartbeatMs: 1000, headersTimeoutMs: 500 },
    },
    audio: { limits: { maxConnections: 12, heartbeatMs: 1000, headersTimeoutMs: 500 } },
  });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.close();
  if (!closed) await jarvis?.close();
});

const wsUrl = (base: string, path: string) => `${base.replace('http', 'ws')}${path}`;

async function openCore(user: string): Promise<Client> {
  const c = await Client.open(wsUrl(jarvis.core.url, `/ws/${user}`), tokenOf(user));
  clients.push(c);
  await c.waitFor((m) => m.type === 'status');
  return c;
}

async function openAudio(user: string): Promise<Client> {
  const c = await Client.open(wsUrl(jarvis.audio.url, `/ws/audio/${user}`), tokenOf(user));
  clients.push(c);
  await c.waitFor((m) => m.type === 'status');
  return c;
}

/** The healthy user's round trip: a chat over the core socket gets its answer. */
async function healthyChat(c: Client): Promise<void> {
  const from = c.messages.length;
  c.send({ type: 'chat', message: '/calc 2+3' });
  const reply = await c.waitFor((m) => m.type === 'chat_response', 30_000, from);
  expect(JSON.stringify(reply.data)).toContain('5');
}

/** Round trip on an attacked socket: it is still open and answering. */
async function pingPong(c: Client): Promise<void> {
  const from = c.messages.length;
  c.send({ type: 'ping' });
  await c.waitFor((m) => m.type === 'pong', 30_000, from);
}

async function post(
  base: string,
  path: string,
  user: string,
  body: string,
): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(user)}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  let json: { error?: { code: string; message: string } } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // a WAV answer (tts)
  }
  return { status: res.status, json };
}

const ROUTES = () =>
  [
    [jarvis.core.url, '/api/v2/chat'],
    [jarvis.audio.url, '/api/v2/audio/session/start'],
    [jarvis.audio.url, '/api/v2/audio/tts'],
  ] as const;

describe('REST parsers are total', () => {
  it('a JSON null, number, string, array or boolean body is a 400 bad_request, never a 500 with internals', async () => {
    for (const [base, path] of ROUTES()) {
      for (const body of ['null', '5', '"text"', '[]', 'true', '[null]']) {
        const { status, json } = await post(base, path, 'user0', body);
        expect(status, `${path} ${body}`).toBe(400);
        expect(json.error?.code).toMatch(/^(bad_request|invalid_config)$/);
        expect(json.error?.message).not.toMatch(/Cannot read|TypeError|undefined|null \(/);
      }
    }
  });

  it('generated bodies on every route never give a 5xx, and the healthy user is served throughout', async () => {
    const healthy = await openCore('user5');
    const routes = ROUTES();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.json(),
          fc.string({ maxLength: 200 }),
          fc
            .dictionary(
              fc.constantFrom(
                'message',
                'user_id',
                'source',
                'text',
                'voice',
                'sample_rate',
                'enable_vad',
                'language',
              ),
              fc.jsonValue({ maxDepth: 2 }),
            )
            .map((o) => JSON.stringify(o)),
        ),
        async ([base, path], body) => {
          const { status, json } = await post(base, path, 'user0', body);
          expect(status, `${path} ${body}`).toBeLessThan(500);
          if (status >= 400) expect(json.error?.code).toBeTruthy();
        },
      ),
      { numRuns: 150 },
    );
    await healthyChat(healthy);
    healthy.close();
  }, 120_000);
});

describe('request targets that are no URL', () => {
  it('`//x:abc` as an HTTP request or an upgrade gets a 400 on both services', async () => {
    for (const port of [jarvis.core.port, jarvis.audio.port]) {
      for (const extra of [
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
        '',
      ]) {
        const status = await new Promise<string>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () =>
            s.write(`GET //x:abc HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`),
          );
          let got = '';
          s.on('data', (d) => {
            got += d.toString();
          });
          s.on('error', reject);
          s.on('close', () => resolve(got.split('\r\n')[0]));
        });
        expect(status).toMatch(/ 400 /);
      }
    }
    const healthy = await openCore('user5');
    await healthyChat(healthy);
    healthy.close();
  });
});

describe('WebSocket message parsers are total', () => {
  it('generated messages on the core and audio sockets get answers or typed errors; the sockets stay open', async () => {
    const core = await openCore('user1');
    const audio = await openAudio('user1');
    const healthy = await openCore('user5');
    const message = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 300 }),
      fc
        .record(
          {
            type: fc.constantFrom(
              'chat',
              'ping',
              'start_streaming',
              'stop_streaming',
              'audio',
              'commit',
              'text',
              'x',
            ),
            message: fc.jsonValue({ maxDepth: 1 }),
            config: fc.jsonValue({ maxDepth: 2 }),
            data: fc.oneof(fc.string({ maxLength: 64 }), fc.jsonValue({ maxDepth: 1 })),
            text: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: ['type'] },
        )
        .map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        core.send(text);
        audio.send(text);
      }),
      { numRuns: 300 },
    );
    await pingPong(core);
    await pingPong(audio);
    for (const c of [core, audio]) {
      const internal = c.of('error').filter((m) => m.data.code === 'internal_error');
      expect(internal, JSON.stringify(internal.slice(0, 3))).toEqual([]);
    }
    await healthyChat(healthy);
    // Binary garbage on the JSON-only core socket and odd-length audio: typed errors too.
    core.ws.send(Buffer.from([1, 2, 3]));
    await core.waitFor((m) => m.type === 'error' && m.data.code === 'invalid_message');
    core.close();
    audio.close();
    healthy.close();
  }, 120_000);
});

describe('floods, stalls and departures', () => {
  it('caps sockets per user (429) and per service (503), and frees the slots when the flood leaves', async () => {
    const healthy = await openCore('user5');
    const mine = [await openCore('user2'), await openCore('user2'), await openCore('user2')];
    const refused = await Client.open(wsUrl(jarvis.core.url, '/ws/user2'), tokenOf('user2')).catch(
      (e: Error) => e.message,
    );
    expect(refused).toBe('HTTP 429');
    // Other users fill the service (12 sockets at most): the first refusal is a 503.
    const flood: Client[] = [];
    let refusal = '';
    for (const u of ['user3', 'user4', 'user0', 'user1']) {
      for (let i = 0; i < 3 && !refusal; i++) {
        const c = await Client.open(wsUrl(jarvis.core.url, `/ws/${u}`), tokenOf(u)).catch((e: Error) => {
          refusal = e.message;
          return undefined;
        });
        if (c) flood.push(c);
      }
    }
    expect(refusal).toBe('HTTP 503');
    expect(flood.length + mine.length + 1).toBeLessThanOrEqual(12);
    await healthyChat(healthy);
    for (const c of [...mine, ...flood]) c.close();
    await waitUntil(() => [...mine, ...flood].every((c) => c.closed), 'the flood to leave');
    const again = await openCore('user2');
    await pingPong(again);
    again.close();
    healthy.close();
  }, 60_000);

  it('cuts a socket stalled mid-frame (it cannot answer pings) and one stalled in its headers', async () => {
    const healthy = await openCore('user5');
    const port = jarvis.core.port;
    const stalled = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(
          `GET /ws/user3 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
            `Authorization: Bearer ${tokenOf('user3')}\r\n\r\n`,
        );
        s.once('data', (d) => {
          expect(d.toString()).toContain('101 Switching Protocols');
          // The start of a masked text frame announcing 100 bytes, then nothing.
          s.write(Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4, 65]));
          s.resume();
          resolve(s);
        });
      });
      s.on('error', reject);
    });
    const headers = connect(port, '127.0.0.1', () =>
      headers.write('GET /api/v2/health HTTP/1.1\r\nHost: x\r\n'),
    );
    headers.on('error', () => {});
    headers.resume(); // read to the end, so the server's close is seen
    const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
    await Promise.all([closed(stalled), closed(headers)]);
    await healthyChat(healthy);
    healthy.close();
  }, 30_000);

  it('a user who leaves mid-reply leaves no speech process behind; the healthy user gets spoken replies', async () => {
    const quitter = await openAudio('user3');
    const healthy = await openAudio('user4');
    quitter.send({ type: 'text', text: 'tell me a joke' });
    quitter.send({ type: 'text', text: 'what time is it' });
    quitter.close();
    healthy.send({ type: 'text', text: 'what time is it' });
    await healthy.waitFor((m) => m.type === 'tts_end', 60_000);
    expect(healthy.binary.length).toBeGreaterThan(0);
    await waitUntil(() => childProcessCount('espeak-ng') === 0, 'espeak-ng runs to end');
    healthy.close();
  }, 90_000);
});

describe('shutdown', () => {
  it('close() sends 1001 to every socket and drains; handles return to the baseline', async () => {
    const core = await openCore('user0');
    const audio = await openAudio('user1');
    closed = true;
    await jarvis.close();
    await waitUntil(() => core.closed && audio.closed, 'both sockets to close');
    expect(core.closeCode).toBe(1001);
    expect(audio.closeCode).toBe(1001);
    expect(await settleLeaks(baseline)).toEqual({});
    expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
  });

  it('SIGTERM with a session running: clients see 1001 and the process exits 0', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const token = 'sigterm-test-token-0123456789';
    const server = spawnTsx(main, {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        JARVIS_TOKENS: `tester:${token}`,
        JARVIS_CORE_PORT: '0',
        JARVIS_AUDIO_PORT: '0',
      },
    });
    const out = server.output;
    await waitUntil(
      () => /core service on (http:\S+)/.test(out()) && /audio service on (http:\S+)/.test(out()),
      'startup',
      60_000,
    );
    const coreUrl = /core service on (http:\S+)/.exec(out())?.[1] as string;
    const audioUrl = /audio service on (http:\S+)/.exec(out())?.[1] as string;
    const core = await Client.open(wsUrl(coreUrl, '/ws/tester'), token);
    const audio = await Client.open(wsUrl(audioUrl, '/ws/audio/tester'), token);
    audio.send({ type: 'text', text: 'what time is it' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await waitUntil(() => core.closed && audio.closed, 'both sockets to close');
    expect(core.closeCode).toBe(1001);
    expect(audio.closeCode).toBe(1001);
  }, 90_000);
});
