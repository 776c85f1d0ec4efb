// Soak of the Arnold and Jarvis examples: each server runs as its own process (as users run it) under a steady
// load of healthy sessions, with a trickle of bad input mixed in (malformed and oversized messages, 1 Hz and
// truncated WAVs, non-object JSON, wrong tokens, stalled sockets, clients vanishing mid-turn). Every 10 s it
// samples each server's RSS and open file descriptors; at the end it prints a markdown table.
//
//   pnpm exec tsx benchmarks/soak/arnold-jarvis.ts [--minutes 10] [--sessions 3] [--think-ms 500]
//     [--turns-per-session 0] [--out benchmarks/soak/arnold-jarvis.md]
//
// Exit code 1 when a healthy session saw an error or a server died.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sessions: { type: 'string', default: '3' },
    'think-ms': { type: 'string', default: '500' },
    'turns-per-session': { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const sessionsPerServer = Number(values.sessions);
/** Pause of a Jarvis user between turns (Arnold's turns take their spoken length: realtime pacing). */
const thinkMs = Number(values['think-ms']);
/** Turns after which an Arnold user hangs up and reconnects (0: one session for the whole run). */
const turnsPerSession = Number(values['turns-per-session']);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'voxwire-soak-'));
const ARNOLD_TOKEN = 'soak-arnold-token-0123456789';
const JARVIS_TOKENS = Array.from(
  { length: sessionsPerServer + 2 },
  (_, i) => `u${i}:soak-jarvis-token-${i}-0123456789`,
);
const jarvisToken = (i: number) => `soak-jarvis-token-${i}-0123456789`;

interface Server {
  name: string;
  child: ChildProcess;
  out: string;
  urls: Record<string, string>;
}

/** Starts an example's `src/main.ts` and waits for the URLs it prints. */
async function start(
  name: string,
  example: string,
  env: NodeJS.ProcessEnv,
  patterns: Record<string, RegExp>,
): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(root, 'examples', example),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server: Server = { name, child, out: '', urls: {} };
  const append = (d: Buffer) => {
    server.out = (server.out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  for (let i = 0; i < 600; i++) {
    const urls = Object.entries(patterns).map(([k, re]) => [k, re.exec(server.out)?.[1]] as const);
    if (urls.every(([, u]) => u)) {
      server.urls = Object.fromEntries(urls) as Record<string, string>;
      return server;
    }
    if (child.exitCode !== null) throw new Error(`${name} exited: ${server.out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start: ${server.out}`);
}

/** RSS in MB and open descriptors of a process, from /proc. */
function usage(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rss / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const stats = { arnoldTurns: 0, jarvisTurns: 0, healthyErrors: [] as string[], badSent: 0, badAnswered: 0 };

/** A WebSocket whose JSON messages resolve waiters. */
class Peer {
  readonly ws: WebSocket;
  private readonly waiters: Array<{
    match: (m: Record<string, unknown>) => boolean;
    fail: (e: Error) => void;
  }> = [];
  readonly opened: Promise<void>;
  /** Every JSON message received: a message may come in the same tick as `open`, before anyone waits. */
  readonly received: Array<Record<string, unknown>> = [];

  constructor(
    url: string,
    headers: Record<string, string>,
    onMessage?: (m: Record<string, unknown>) => void,
  ) {
    this.ws = new WebSocket(url, { headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => {});
    this.ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w.fail(new Error('socket closed'));
    });
    this.ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString()) as Record<string, unknown>;
      this.received.push(m);
      if (this.received.length > 1000) this.received.splice(0, 500);
      onMessage?.(m);
      for (let i = this.waiters.length - 1; i >= 0; i--)
        if (this.waiters[i].match(m)) this.waiters.splice(i, 1);
    });
  }

  /** Resolves with the first message matching `pred` (rejects after 120 s or on close). */
  wait(
    pred: (m: Record<string, unknown>) => boolean,
    what = 'an answer',
    seen: readonly Record<string, unknown>[] = this.received,
  ): Promise<Record<string, unknown>> {
    const already = seen.find(pred);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} in 120 s`)), 120_000);
      this.waiters.push({
        match: (m) => {
          if (!pred(m)) return false;
          clearTimeout(timer);
          resolve(m);
          return true;
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

/** One healthy Arnold user: text turns one after another until `stop`, reconnecting every `turnsPerSession`. */
async function arnoldUser(base: string, stop: () => boolean): Promise<void> {
  const turns = [
    'I did 10 reps of squat at 100 pounds',
    'show my recent workouts',
    'how is my squat progress',
  ];
  for (let i = 0; !stop(); ) {
    const peer = new Peer(
      `${base.replace('http', 'ws')}/realtime/stream`,
      { authorization: `Bearer ${ARNOLD_TOKEN}` },
      (m) => {
        if (m.type === 'error') stats.healthyErrors.push(`arnold: ${m.code} ${m.message}`);
      },
    );
    await peer.opened;
    await peer.wait((m) => m.type === 'session.ready', 'session.ready');
    for (let n = 0; !stop() && (turnsPerSession === 0 || n < turnsPerSession); n++, i++) {
      const done = peer.wait((m) => m.type === 'turn_done', `turn_done for "${turns[i % turns.length]}"`, []);
      peer.ws.send(JSON.stringify({ type: 'text_input', text: turns[i % turns.length] }));
      await done;
      stats.arnoldTurns++;
    }
    const closed = new Promise((r) => peer.ws.once('close', r));
    peer.ws.close();
    await closed;
  }
}

/** One healthy Jarvis user: a core chat and a spoken reply on the audio socket, in turn, until `stop`. */
async function jarvisUser(core: string, audio: string, i: number, stop: () => boolean): Promise<void> {
  const headers = { authorization: `Bearer ${jarvisToken(i)}` };
  const onError = (m: Record<string, unknown>) => {
    if (m.type === 'error') stats.healthyErrors.push(`jarvis: ${JSON.stringify(m.data)}`);
  };
  const c = new Peer(`${core.replace('http', 'ws')}/ws/u${i}`, headers, onError);
  const a = new Peer(`${audio.replace('http', 'ws')}/ws/audio/u${i}`, headers, onError);
  await Promise.all([c.opened, a.opened]);
  for (let n = 0; !stop(); n++) {
    const chat = c.wait((m) => m.type === 'chat_response', 'chat_response', []);
    c.ws.send(JSON.stringify({ type: 'chat', message: `/calc ${n}+1` }));
    await chat;
    const spoken = a.wait((m) => m.type === 'tts_end', 'tts_end', []);
    a.ws.send(JSON.stringify({ type: 'text', text: 'what time is it' }));
    await spoken;
    stats.jarvisTurns++;
    await new Promise((r) => setTimeout(r, thinkMs));
  }
  c.ws.close();
  a.ws.close();
}

/** A WAV header claiming `rate` Hz, with a few samples. */
function wavAt(rate: number): Buffer {
  const b = Buffer.alloc(64);
  b.write('RIFF', 0);
  b.writeUInt32LE(56, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(20, 40);
  return b;
}

/** The bad inputs, one per tick in turn; each resolves when answered (or refused). */
function badInputs(arnold: string, core: string, audio: string): Array<() => Promise<void>> {
  const post = async (url: string, body: string | Uint8Array, headers: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Blob([body]),
      headers,
    });
    await res.arrayBuffer();
    if (res.status >= 400 && res.status < 500) stats.badAnswered++;
  };
  const arnoldAuth = { authorization: `Bearer ${ARNOLD_TOKEN}` };
  const jarvisAuth = { authorization: `Bearer ${jarvisToken(sessionsPerServer)}` };
  const wsGarbage = async (url: string, headers: Record<string, string>, frames: string[]) => {
    const p = new Peer(url, headers);
    await p.opened;
    for (const f of frames) p.ws.send(f);
    await p.wait((m) => m.type === 'error');
    stats.badAnswered++;
    p.ws.terminate();
  };
  const stalled = () =>
    new Promise<void>((resolve) => {
      const s = connect(Number(new URL(core).port), '127.0.0.1', () =>
        s.write('GET /api/v2/health HTTP/1.1\r\n'),
      );
      s.on('error', () => {});
      s.resume();
      s.once('close', () => {
        stats.badAnswered++;
        resolve();
      });
    });
  return [
    () => post(`${arnold}/audio/transcribe`, wavAt(1), arnoldAuth),
    () => post(`${arnold}/audio/tts`, JSON.stringify({ text: 'x'.repeat(10_000) }), arnoldAuth),
    () => post(`${arnold}/audio/tts`, 'null', arnoldAuth),
    () => post(`${arnold}/realtime/session/start`, '', { authorization: 'Bearer wrong-token-000000' }),
    () =>
      wsGarbage(`${arnold.replace('http', 'ws')}/realtime/stream`, arnoldAuth, [
        '{"type":',
        '{"type":"x"}',
        '[]',
      ]),
    () => post(`${core}/api/v2/chat`, 'null', jarvisAuth),
    () => post(`${audio}/api/v2/audio/tts`, '[1,2]', jarvisAuth),
    () =>
      wsGarbage(`${core.replace('http', 'ws')}/ws/u${sessionsPerServer}`, jarvisAuth, ['{bad json', 'null']),
    stalled,
    async () => {
      // A user who leaves in the middle of a spoken reply.
      const p = new Peer(`${audio.replace('http', 'ws')}/ws/audio/u${sessionsPerServer + 1}`, {
        authorization: `Bearer ${jarvisToken(sessionsPerServer + 1)}`,
      });
      await p.opened;
      p.ws.send(JSON.stringify({ type: 'text', text: 'tell me a joke' }));
      p.ws.terminate();
      stats.badAnswered++;
    },
  ];
}

const arnold = await start(
  'arnold',
  'arnold',
  { PORT: '0', ARNOLD_DB: join(dir, 'arnold.db'), ARNOLD_TOKEN },
  { http: /Arnold on (http:\S+)/ },
);
const jarvis = await start(
  'jarvis',
  'jarvis',
  { JARVIS_TOKENS: JARVIS_TOKENS.join(','), JARVIS_CORE_PORT: '0', JARVIS_AUDIO_PORT: '0' },
  { core: /core service on (http:\S+)/, audio: /audio service on (http:\S+)/ },
);
const servers = [arnold, jarvis];
const started = Date.now();
const endAt = started + minutes * 60_000;
const stop = () => Date.now() >= endAt;

interface Sample {
  t: number;
  arnoldTurns: number;
  jarvisTurns: number;
  bad: number;
  errors: number;
  usage: Record<string, { rssMb: number; fds: number }>;
}
const samples: Sample[] = [];
const sample = () => {
  const u: Sample['usage'] = {};
  for (const s of servers) if (s.child.exitCode === null && s.child.pid) u[s.name] = usage(s.child.pid);
  samples.push({
    t: Math.round((Date.now() - started) / 1000),
    arnoldTurns: stats.arnoldTurns,
    jarvisTurns: stats.jarvisTurns,
    bad: stats.badSent,
    errors: stats.healthyErrors.length,
    usage: u,
  });
  const last = samples[samples.length - 1];
  console.error(
    `t=${last.t}s turns=${last.arnoldTurns}+${last.jarvisTurns} bad=${last.bad} healthy-errors=${last.errors} ` +
      Object.entries(u)
        .map(([k, v]) => `${k}: ${v.rssMb} MB ${v.fds} fds`)
        .join(', '),
  );
};
sample();
const sampler = setInterval(sample, 10_000);

const bad = badInputs(arnold.urls.http, jarvis.urls.core, jarvis.urls.audio);
const pendingBad = new Set<Promise<unknown>>();
const trickle = (async () => {
  for (let i = 0; !stop(); i++) {
    stats.badSent++;
    // Not awaited: a stalled socket waits for the server's header timeout, the trickle goes on.
    const p = bad[i % bad.length]()
      .catch((err: Error) =>
        stats.healthyErrors.push(`bad input ${i % bad.length} not answered: ${err.message}`),
      )
      .finally(() => pendingBad.delete(p));
    pendingBad.add(p);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await Promise.all(pendingBad);
})();
const users = [
  ...Array.from({ length: sessionsPerServer }, () => arnoldUser(arnold.urls.http, stop)),
  ...Array.from({ length: sessionsPerServer }, (_, i) =>
    jarvisUser(jarvis.urls.core, jarvis.urls.audio, i, stop),
  ),
].map((p) => p.catch((err: Error) => stats.healthyErrors.push(`healthy session failed: ${err.message}`)));
await Promise.all([...users, trickle]);
clearInterval(sampler);
sample();

const died = servers.filter((s) => s.child.exitCode !== null).map((s) => s.name);
for (const s of servers) s.child.kill('SIGTERM');
const exits = await Promise.all(
  servers.map((s) =>
    s.child.exitCode !== null
      ? s.child.exitCode
      : new Promise<number | null>((r) => s.child.once('exit', (c) => r(c))),
  ),
);
rmSync(dir, { recursive: true, force: true });

const first = samples[0];
const last = samples[samples.length - 1];
const lines = [
  '# Soak: Arnold and Jarvis under load with bad input',
  '',
  `_Run ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, ${minutes} min, ${sessionsPerServer} healthy sessions per server, one bad input per second._`,
  '',
  `\`pnpm exec tsx benchmarks/soak/arnold-jarvis.ts --minutes ${minutes} --sessions ${sessionsPerServer} --think-ms ${thinkMs} --turns-per-session ${turnsPerSession}\``,
  '',
  '| t (s) | Arnold turns | Jarvis turns | bad inputs | healthy errors | Arnold RSS (MB) | Arnold fds | Jarvis RSS (MB) | Jarvis fds |',
  '|---|---|---|---|---|---|---|---|---|',
  ...samples.map(
    (s) =>
      `| ${s.t} | ${s.arnoldTurns} | ${s.jarvisTurns} | ${s.bad} | ${s.errors} | ${s.usage.arnold?.rssMb ?? '—'} | ${s.usage.arnold?.fds ?? '—'} | ${s.usage.jarvis?.rssMb ?? '—'} | ${s.usage.jarvis?.fds ?? '—'} |`,
  ),
  '',
  `Healthy turns: Arnold ${last.arnoldTurns} (text turn with tool call and spoken reply, realtime pacing), Jarvis ${last.jarvisTurns} (core chat plus a spoken reply, ${thinkMs} ms apart); bad inputs sent: ${stats.badSent}, answered with a 4xx, typed error or close: ${stats.badAnswered}.`,
  `RSS from first to last sample: Arnold ${first.usage.arnold?.rssMb} → ${last.usage.arnold?.rssMb} MB, Jarvis ${first.usage.jarvis?.rssMb} → ${last.usage.jarvis?.rssMb} MB; fds Arnold ${first.usage.arnold?.fds} → ${last.usage.arnold?.fds}, Jarvis ${first.usage.jarvis?.fds} → ${last.usage.jarvis?.fds}.`,
  `Servers died during the run: ${died.length ? died.join(', ') : 'none'}; exit codes after SIGTERM: Arnold ${exits[0]}, Jarvis ${exits[1]}.`,
  '',
  stats.healthyErrors.length
    ? `Errors seen by healthy sessions (${stats.healthyErrors.length}):\n\n${[...new Set(stats.healthyErrors)]
        .slice(0, 20)
        .map((e) => `- ${e}`)
        .join('\n')}`
    : 'No errors on the healthy sessions.',
  '',
];
const report = lines.join('\n');
console.log(report);
if (values.out) writeFileSync(values.out, report);
process.exit(stats.healthyErrors.length || died.length || exits.some((c) => c !== 0) ? 1 : 0);
