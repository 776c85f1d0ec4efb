// Soak of the phone bridge: N simulated Twilio calls and N AudioCodes conversations through @voxwire/bridge
// to the local realtime server, every caller taking a turn every few seconds, with a trickle of bad input
// (malformed messages, unknown upgrade paths, stalled frames, abandoned conversations) on fresh connections.
// The callers and attackers run in one child process (this file, with VOXWIRE_SOAK_CHILD set) and the model in
// another (VOXWIRE_SOAK_MODEL), so the figures are the bridge process's own. Every 10 s it samples the bridge
// process's RSS, heap, array buffers, open fds and calls, and the model process's RSS; at the end it prints a
// markdown table.
//
//   pnpm exec tsx soak/bridge.ts [--minutes 10] [--calls 4]        (from benchmarks/)
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bridgeCall, type CallBridge, createAudioCodesServer, twilioCallSession } from '@voxwire/bridge';
import { RealtimeClient } from '@voxwire/realtime-client';
import { createRealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { createMediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { WebSocket } from 'ws';

const TOKEN = 'soak-token';
const SAMPLE_MS = 10_000;
const TURN_EVERY_MS = 8000;

/** What the callers saw since the start. */
interface CallerStats {
  /** Agent answers heard (utterance marks played, AudioCodes play streams stopped). */
  turns: number;
  /** Healthy calls whose socket closed before the end. */
  drops: number;
  /** Bad inputs sent, and how many got an answer (error reply, HTTP status, close code). */
  attacks: number;
  answered: number;
}

// --- child: the phones and the attackers ---

function tone(rate: number, ms: number): Int16Array {
  const out = new Int16Array((rate * ms) / 1000);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
  return out;
}

async function runChild(port: number, calls: number): Promise<void> {
  const stats: CallerStats = { turns: 0, drops: 0, attacks: 0, answered: 0 };
  let ending = false;
  const timers: NodeJS.Timeout[] = [];

  for (let i = 0; i < calls; i++) {
    const sim = new TwilioSimulator({
      url: `ws://127.0.0.1:${port}/twilio`,
      speed: 1,
      callSid: `CA-soak-${i}`,
    });
    sim.on('mark', (m) => {
      if (m.name.startsWith('utterance') && !m.flushed) stats.turns++;
    });
    sim.on('close', () => {
      if (!ending) stats.drops++;
    });
    await sim.connect();
    const words = tone(8000, 1000);
    timers.push(setInterval(() => void sim.streamPcm(words, 8000).catch(() => {}), TURN_EVERY_MS));
  }

  const acWords = tone(24000, 1000);
  for (let i = 0; i < calls; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/audiocodes`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const conversationId = `soak-ac-${i}`;
    const send = (m: Record<string, unknown>) => ws.send(JSON.stringify({ conversationId, ...m }));
    ws.on('message', (d) => {
      if ((JSON.parse(d.toString()) as { type: string }).type === 'playStream.stop') stats.turns++;
    });
    ws.on('close', () => {
      if (!ending) stats.drops++;
    });
    send({ type: 'session.initiate', supportedMediaFormats: ['raw/lpcm16_24'] });
    send({ type: 'userStream.start' });
    // Real-time caller audio in 100 ms chunks: a second of "words" every TURN_EVERY_MS, silence otherwise.
    let t = 0;
    const silence = Buffer.alloc(4800).toString('base64');
    timers.push(
      setInterval(() => {
        const phase = t++ % (TURN_EVERY_MS / 100);
        const audioChunk =
          phase < 10
            ? Buffer.from(acWords.buffer, acWords.byteOffset + phase * 4800, 4800).toString('base64')
            : silence;
        send({ type: 'userStream.chunk', audioChunk });
      }, 100),
    );
  }

  // The trickle of bad input: one attack a second, each on a fresh connection.
  const attacks: Array<() => Promise<boolean>> = [
    () => acAttack((s) => s('{not json')),
    () => acAttack((s) => s(JSON.stringify({ type: 'activities', conversationId: 'x', activities: null }))),
    () =>
      acAttack((s) => {
        const cid = `abandon-${randomBytes(4).toString('hex')}`;
        s(
          JSON.stringify({
            type: 'session.initiate',
            conversationId: cid,
            supportedMediaFormats: ['raw/mulaw'],
          }),
        );
        s(
          JSON.stringify({
            type: 'activities',
            conversationId: cid,
            activities: [{ type: 'event', name: 'dtmf', value: { toString: 1 } }],
          }),
        );
      }, true),
    () => twilioAttack((s) => s('{"event":"media"}')),
    () => twilioAttack((s) => s(JSON.stringify({ event: 'x'.repeat(5000) }))),
    () =>
      rawAttack(
        'GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
  ];
  let k = 0;
  timers.push(
    setInterval(() => {
      const attack = attacks[k++ % attacks.length];
      stats.attacks++;
      void attack().then((ok) => {
        if (ok) stats.answered++;
      });
    }, 1000),
  );

  process.on('message', (m: string) => {
    if (m === 'sample') process.send?.(stats);
    if (m === 'stop') {
      ending = true;
      for (const t of timers) clearInterval(t);
      process.send?.(stats);
      setTimeout(() => process.exit(0), 200);
    }
  });
  process.send?.('ready');

  /** A bad AudioCodes exchange; answered = a `session.error` came back (or the socket was closed for it). */
  function acAttack(go: (send: (t: string) => void) => void, abandon = false): Promise<boolean> {
    return wsAttack(`ws://127.0.0.1:${port}/audiocodes`, { authorization: `Bearer ${TOKEN}` }, go, abandon);
  }
  function twilioAttack(go: (send: (t: string) => void) => void): Promise<boolean> {
    return wsAttack(`ws://127.0.0.1:${port}/twilio`, {}, go, false);
  }
}

function wsAttack(
  url: string,
  headers: Record<string, string>,
  go: (send: (t: string) => void) => void,
  abandon: boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 5000);
    ws.once('error', () => done(false));
    ws.once('open', () => {
      go((t) => ws.send(t));
      // Twilio answers bad input with nothing on the wire (errors are server-side events): the stream staying
      // open and closable is the answer there.
      if (abandon || url.endsWith('/twilio')) setTimeout(() => done(ws.readyState === ws.OPEN), 200);
    });
    ws.on('message', (d) => {
      if (String(d).includes('session.error')) done(true);
    });
  });
}

function rawAttack(request: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(Number(process.env.VOXWIRE_SOAK_PORT), '127.0.0.1', () => s.write(request));
    let answer = '';
    s.on('data', (d) => {
      answer += d;
    });
    s.on('error', () => {});
    s.on('close', () => resolve(/^HTTP\/1\.1 404/.test(answer)));
    setTimeout(() => s.destroy(), 5000);
  });
}

// --- model child: the local realtime server ---

async function runModel(): Promise<void> {
  const rt = await createRealtimeServer({
    pacing: 'realtime',
    engines: { responder: new ScriptedResponder([{ text: 'Sure, I can help with that.' }]) },
  });
  process.send?.(rt.url);
  process.on('message', (m: string) => {
    if (m === 'stop') void rt.close().then(() => process.exit(0));
  });
}

// --- parent: the bridge process ---

/** Resident set size of another process, MB (Linux). */
function rssOf(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function fds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { minutes: { type: 'string', default: '10' }, calls: { type: 'string', default: '4' } },
  });
  const minutes = Number(values.minutes);
  const calls = Number(values.calls);
  const model = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_SOAK_MODEL: '1' },
    execArgv: ['--import', 'tsx'],
  });
  const modelUrl = await new Promise<string>((resolve) => model.once('message', (m) => resolve(String(m))));
  const http = createServer((_req, res) => res.writeHead(404).end());
  const media = await createMediaStreamServer({ server: http, path: '/twilio' });
  const bot = await createAudioCodesServer({
    server: http,
    path: '/audiocodes',
    token: TOKEN,
    resumeTimeoutMs: 2000,
  });
  http.on('upgrade', (req, socket) => {
    if (req.url !== '/twilio' && req.url !== '/audiocodes') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () =>
        socket.destroy(),
      );
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const bridges = new Set<CallBridge>();
  let healthyErrors = 0;
  let bridgeErrors = 0;
  const join = (call: Parameters<typeof bridgeCall>[0]) => {
    const realtime = new RealtimeClient({
      url: modelUrl,
      reconnect: false,
      session: { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } } },
    });
    const b = bridgeCall(call, realtime);
    const healthy = call.id.startsWith('CA-soak') || call.id.startsWith('soak-ac');
    b.on('error', () => {
      if (healthy) healthyErrors++;
      else bridgeErrors++;
    });
    bridges.add(b);
    void b.done.then(() => bridges.delete(b));
  };
  media.on('call', (call) => void call.whenStarted().then(() => join(twilioCallSession(call))));
  media.on('error', () => {
    bridgeErrors++;
  });
  bot.on('session', join);
  bot.on('error', () => {
    bridgeErrors++;
  });

  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_SOAK_CHILD: String(calls), VOXWIRE_SOAK_PORT: String(port) },
    execArgv: ['--import', 'tsx'],
  });
  const next = () => new Promise<unknown>((resolve) => child.once('message', resolve));
  await next(); // ready

  interface Row {
    t: number;
    rss: number;
    heap: number;
    buffers: number;
    modelRss: number;
    fds: number;
    calls: number;
    stats: CallerStats;
    healthyErrors: number;
    badInputErrors: number;
  }
  const rows: Row[] = [];
  const start = Date.now();
  const sample = async (msg: 'sample' | 'stop') => {
    child.send(msg);
    const stats = (await next()) as CallerStats;
    const m = process.memoryUsage();
    rows.push({
      t: Math.round((Date.now() - start) / 1000),
      rss: m.rss / 2 ** 20,
      heap: m.heapUsed / 2 ** 20,
      buffers: m.arrayBuffers / 2 ** 20,
      modelRss: rssOf(model.pid),
      fds: fds(),
      calls: bridges.size,
      stats,
      healthyErrors,
      badInputErrors: bridgeErrors,
    });
    process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
  };
  while (Date.now() - start < minutes * 60_000) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    await sample(Date.now() - start >= minutes * 60_000 ? 'stop' : 'sample');
  }

  const first = rows[0];
  const last = rows.at(-1) as Row;
  const lines = [
    `Bridge soak: ${calls} Twilio + ${calls} AudioCodes calls, local realtime server in its own process (realtime pacing), ` +
      `one bad input a second; ${minutes} min, sampled every ${SAMPLE_MS / 1000} s. Node ${process.version}.`,
    '',
    '| t (s) | RSS MB | heap MB | array buffers MB | fds | calls bridged | agent turns heard | healthy calls dropped | bad inputs sent / answered | errors on healthy calls | errors reported for bad input | model process RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.t} | ${r.rss.toFixed(1)} | ${r.heap.toFixed(1)} | ${r.buffers.toFixed(1)} | ${r.fds} | ${r.calls} | ${r.stats.turns} | ${r.stats.drops} | ${r.stats.attacks} / ${r.stats.answered} | ${r.healthyErrors} | ${r.badInputErrors} | ${r.modelRss.toFixed(1)} |`,
    ),
    '',
    `RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MB (max ${Math.max(...rows.map((r) => r.rss)).toFixed(1)}), ` +
      `fds ${first.fds} → ${last.fds} (max ${Math.max(...rows.map((r) => r.fds))}), ` +
      `healthy calls dropped ${last.stats.drops}, errors on healthy calls ${last.healthyErrors}; ` +
      `model process RSS ${first.modelRss.toFixed(1)} → ${last.modelRss.toFixed(1)} MB.`,
  ];
  console.log(lines.join('\n'));
  await bot.close();
  await media.close();
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
  model.send('stop');
  await new Promise((resolve) => model.once('exit', resolve));
  process.exit(0);
}

if (process.env.VOXWIRE_SOAK_MODEL) {
  await runModel();
} else if (process.env.VOXWIRE_SOAK_CHILD) {
  await runChild(Number(process.env.VOXWIRE_SOAK_PORT), Number(process.env.VOXWIRE_SOAK_CHILD));
} else {
  await main();
}
