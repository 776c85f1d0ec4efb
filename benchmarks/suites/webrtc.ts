// What a WebRTC voice server pays per connection (issue #28): an echo server (decode each Opus packet to PCM,
// re-encode, send back) in its own process, callers in another, 4/16/32 connections, the server's CPU from all
// its threads. Same-run peers: raw werift + opusscript, @roamhq/wrtc (libwebrtc), node-datachannel
// (libdatachannel + opusscript), aiortc (Python, when installed), a bare UDP echo, and the floor rows (Opus,
// SRTP alone); and our echo on werift as npm publishes it, which is what users outside this workspace run (the
// werift patch is pnpm's, ours only).
// Both children run inside a fresh network namespace when this process may create one (root), else on the
// host's loopback. The server and caller programs are in ../peers/webrtc/.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureFloors } from '../peers/webrtc/floors.js';
import { measureIdleSlots } from '../peers/webrtc/idle-slots.js';
import { measureOpusOnSpeech } from '../peers/webrtc/opus-speech.js';
import type { FromCallers, FromServer, Stack, ToCallers, ToServer } from '../peers/webrtc/protocol.js';
import { weriftAsPublished } from '../peers/webrtc/werift-as-published.js';
import { type Suite, table } from '../suite.js';

const env = process.env;
/** Seconds measured per point (`VOXWIRE_WEBRTC_BENCH_MEASURE_S`, default 3). */
const MEASURE_S = Math.max(1, Number(env.VOXWIRE_WEBRTC_BENCH_MEASURE_S ?? 3) || 3);
/**
 * Seconds of warm-up after every caller is connected (`VOXWIRE_WEBRTC_BENCH_WARMUP_S`, default 5): the
 * handshakes' certificate and key work, V8's optimisation of the per-packet code and the first RTCP rounds
 * settle in that time. With 1.5 s a 3 s window still caught them: 420–490 µs per frame at 16 connections
 * against 290 µs in steady state (20 s windows), for every stack.
 */
const WARMUP_S = Math.max(0, Number(env.VOXWIRE_WEBRTC_BENCH_WARMUP_S ?? 5) || 0);
/** Connection counts, grown in one session per stack (`VOXWIRE_WEBRTC_BENCH_N`, default 4,16,32). */
const CONNECTIONS = (env.VOXWIRE_WEBRTC_BENCH_N ?? '4,16,32')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b);
/** Repetitions, alternating between stacks; the median is reported (`VOXWIRE_WEBRTC_BENCH_REPEAT`, default 3). */
const REPEAT = Math.max(1, Number(env.VOXWIRE_WEBRTC_BENCH_REPEAT ?? 3) || 3);
/** Stacks (`VOXWIRE_WEBRTC_BENCH_STACKS`, default all). */
const STACKS = (
  env.VOXWIRE_WEBRTC_BENCH_STACKS ??
  'voxwire,voxwire-native,voxwire-published,voxwire-cjs,werift,wrtc,datachannel,datachannel-native,aiortc,udp'
).split(',') as Stack[];
const LABELS: Record<Stack, string> = {
  voxwire: '@voxwire/webrtc (README echo, opusscript)',
  'voxwire-native': '@voxwire/webrtc (README echo, @discordjs/opus)',
  'voxwire-published': '@voxwire/webrtc on werift as published (what npm users get), opusscript',
  'voxwire-cjs': '@voxwire/webrtc through require() (CommonJS builds of it and of werift), opusscript',
  werift: 'raw werift 0.25.2 (with our patch) + opusscript',
  wrtc: '@roamhq/wrtc (libwebrtc, its own Opus)',
  datachannel: 'node-datachannel (libdatachannel) + opusscript',
  'datachannel-native': 'node-datachannel (libdatachannel) + @discordjs/opus',
  aiortc: "aiortc (Python, what Pipecat's SmallWebRTC uses; its own Opus binding)",
  udp: 'bare UDP echo (floor: sockets alone)',
};
const PEERS_DIR = fileURLToPath(new URL('../peers/webrtc/', import.meta.url));
const NETNS = `voxwire-bench-${process.pid}`;

interface Point {
  stack: Stack;
  connections: number;
  usPerFrame: number;
  framesIn: number;
  framesOut: number;
  delivered: number;
  expected: number;
  pitchOk: number;
  peers: number;
  concealed: number;
}

/** A fresh network namespace with loopback and one veth address (libwebrtc ignores loopback-only hosts). */
function createNetns(): boolean {
  if (env.VOXWIRE_WEBRTC_BENCH_NETNS === '0') return false;
  try {
    const ns = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NETNS, 'ip', ...args]);
    execFileSync('ip', ['netns', 'add', NETNS]);
    ns('link', 'set', 'lo', 'up');
    // A veth pair (no dummy driver on this kernel): one end carries the address, traffic to it stays local.
    ns('link', 'add', 'vx0', 'type', 'veth', 'peer', 'name', 'vx1');
    ns('addr', 'add', '10.77.0.1/24', 'dev', 'vx0');
    ns('link', 'set', 'vx1', 'up');
    ns('link', 'set', 'vx0', 'up');
    return true;
  } catch {
    deleteNetns();
    return false;
  }
}

function deleteNetns(): void {
  try {
    execFileSync('ip', ['netns', 'del', NETNS], { stdio: 'ignore' });
  } catch {
    // never created
  }
}

/**
 * Extra Node/V8 flags for the echo servers only (`VOXWIRE_WEBRTC_BENCH_SERVER_FLAGS`, space-separated), for
 * trying runtime settings such as `--single-threaded-gc` that NODE_OPTIONS does not accept.
 */
const SERVER_FLAGS = (env.VOXWIRE_WEBRTC_BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * With `VOXWIRE_WEBRTC_BENCH_PERF=<dir>`, Linux `perf` samples the whole server process (every thread, native
 * code and kernel included, which V8's profiler does not see: libopus, libdatachannel's own threads) through
 * each measured window, into `<dir>/<stack>-<connections>-<time>.data` with a `.json` of the frames echoed in
 * it; `peers/webrtc/perf-breakdown.ts` reads them. The servers get `--perf-basic-prof` to name JS frames.
 */
const PERF_DIR = env.VOXWIRE_WEBRTC_BENCH_PERF;
/** perf's sampling rate (cpu-clock, Hz): each sample stands for 1/PERF_HZ s of CPU. */
const PERF_HZ = 2000;
if (PERF_DIR) SERVER_FLAGS.push('--perf-basic-prof');

/** Starts perf on `pid`; the returned function stops it and resolves when the file is written. */
function startPerf(pid: number, file: string): () => Promise<void> {
  const perf = spawn(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', String(PERF_HZ), '-g', '-p', String(pid), '-o', file],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => perf.once('close', () => resolve()));
  return async () => {
    perf.kill('SIGINT');
    await exited;
  };
}

/**
 * The Python that runs aiortc-server.py (`VOXWIRE_WEBRTC_BENCH_PYTHON`; default Debian's /usr/bin/python3, where
 * the python3-aiortc package installs it, else the first python3 on PATH).
 */
const PYTHON =
  env.VOXWIRE_WEBRTC_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
/** What aiortc-server.py exits with when aiortc does not import. */
const AIORTC_MISSING = 3;

/**
 * A benchmark child: a TypeScript program run by Node, or a `.py` one by PYTHON (over the same IPC channel). With
 * `weriftUrl`, `werift` resolves to that copy in it (see werift-as-published.ts).
 */
function child(netns: boolean, script: string, args: string[], weriftUrl?: string): ChildProcess {
  const hook = weriftUrl ? ['--import', `${PEERS_DIR}werift-as-published-hook.ts`] : [];
  const flags = script === 'server.ts' ? SERVER_FLAGS : [];
  const program = script.endsWith('.py')
    ? [PYTHON, PEERS_DIR + script, ...args]
    : [process.execPath, ...flags, '--import', 'tsx', ...hook, PEERS_DIR + script, ...args];
  const [cmd, ...rest] = netns ? ['ip', 'netns', 'exec', NETNS, ...program] : program;
  return spawn(cmd, rest, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: weriftUrl ? { ...env, VOXWIRE_WERIFT_URL: weriftUrl } : env,
  });
}

function next<T extends { type: string }>(proc: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: T) => {
      if (m.type !== type) return;
      proc.off('message', onMsg);
      proc.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number) =>
      reject(new Error(`benchmark child exited with ${code} waiting for ${type}`));
    proc.on('message', onMsg);
    proc.once('exit', onExit);
  });
}

/** Both children's counters, asked for at the same moment. */
function snapshot(
  server: ChildProcess,
  callers: ChildProcess,
): Promise<[FromServer & { type: 'stats' }, FromCallers & { type: 'stats' }]> {
  const s = next<FromServer & { type: 'stats' }>(server, 'stats');
  const c = next<FromCallers & { type: 'stats' }>(callers, 'stats');
  server.send({ type: 'stats' } satisfies ToServer);
  callers.send({ type: 'stats' } satisfies ToCallers);
  return Promise.all([s, c]);
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** One session of a stack: grows the callers through CONNECTIONS and measures each point. */
async function session(stack: Stack, netns: boolean): Promise<Point[]> {
  const server =
    stack === 'aiortc'
      ? child(netns, 'aiortc-server.py', [])
      : child(netns, 'server.ts', [stack], stack === 'voxwire-published' ? weriftAsPublished() : undefined);
  await next<FromServer>(server, 'ready').catch((err: unknown) => {
    throw stack === 'aiortc' && server.exitCode === AIORTC_MISSING
      ? new Error(`aiortc does not import in ${PYTHON} (Debian: apt-get install python3-aiortc)`)
      : err;
  });
  let mode = 'webrtc';
  if (stack === 'udp') {
    server.send({ type: 'udp-port' } satisfies ToServer);
    mode = `udp:${(await next<FromServer & { type: 'udp-port' }>(server, 'udp-port')).port}`;
  }
  const callers = child(netns, 'callers.ts', [mode]);
  // Relay offers to the server and answers back: no signaling server in either measured process.
  callers.on('message', (m: FromCallers) => {
    if (m.type === 'offer') server.send(m satisfies ToServer);
  });
  server.on('message', (m: FromServer) => {
    if (m.type === 'answer') callers.send(m satisfies ToCallers);
  });
  const points: Point[] = [];
  try {
    for (const n of CONNECTIONS) {
      callers.send({ type: 'grow', n } satisfies ToCallers);
      await next<FromCallers>(callers, 'connected');
      await sleep(WARMUP_S);
      const perfFile = PERF_DIR && join(PERF_DIR, `${stack}-${n}-${Date.now()}`);
      const stopPerf = perfFile && server.pid ? startPerf(server.pid, `${perfFile}.data`) : undefined;
      const [a, ca] = await snapshot(server, callers);
      await sleep(MEASURE_S);
      const [b, cb] = await snapshot(server, callers);
      await stopPerf?.();
      const framesIn = b.framesIn - a.framesIn;
      const framesOut = b.framesOut - a.framesOut;
      if (perfFile)
        writeFileSync(
          `${perfFile}.json`,
          JSON.stringify({
            stack,
            connections: n,
            pid: server.pid,
            seconds: MEASURE_S,
            hz: PERF_HZ,
            framesIn,
            framesOut,
          }),
        );
      points.push({
        stack,
        connections: n,
        // Per frame echoed (one in, one out); when a starved server sends fewer than it receives, the mean
        // of the two keeps the run comparable.
        usPerFrame: (b.cpuUs - a.cpuUs) / Math.max(1, (framesIn + framesOut) / 2),
        framesIn,
        framesOut,
        delivered: cb.framesReceived - ca.framesReceived,
        expected: n * 50 * MEASURE_S,
        pitchOk: cb.pitchOk,
        peers: cb.peers,
        concealed: b.concealed - a.concealed,
      });
    }
  } finally {
    for (const p of [callers, server]) {
      const exited = new Promise((r) => p.once('exit', r));
      p.send({ type: 'stop' });
      await Promise.race([exited, sleep(10)]);
      p.kill();
    }
  }
  return points;
}

function median(values: Point[]): Point {
  const sorted = [...values].sort((x, y) => x.usPerFrame - y.usPerFrame);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The CPU profile breakdown (written by hand from `VOXWIRE_WEBRTC_BENCH_CPU_PROF` runs and
 * profile-breakdown.ts, in ../peers/webrtc/profile.md), carried along so that a re-run keeps it.
 */
function profileNotes(): string {
  const file = `${PEERS_DIR}profile.md`;
  return existsSync(file) ? `\n${readFileSync(file, 'utf8').trim()}` : '';
}

const suite: Suite = {
  id: 'webrtc',
  title: 'WebRTC echo server: CPU per connection against libwebrtc, libdatachannel, aiortc and raw werift',
  async run() {
    const floors = measureFloors();
    const idleSlots = measureIdleSlots();
    const opusOnSpeech = measureOpusOnSpeech();
    const netns = createNetns();
    const all: Point[] = [];
    const skipped = new Map<Stack, string>();
    try {
      for (let rep = 0; rep < REPEAT; rep++) {
        for (const stack of STACKS) {
          if (skipped.has(stack)) continue;
          try {
            all.push(...(await session(stack, netns)));
          } catch (err) {
            skipped.set(stack, err instanceof Error ? err.message : String(err));
          }
        }
      }
    } finally {
      if (netns) deleteNetns();
    }
    const points: Point[] = [];
    /** Lowest and highest µs per frame of each point's runs: this VM moves single runs by up to 30 %. */
    const spread = new Map<Point, string>();
    for (const stack of STACKS)
      for (const n of CONNECTIONS) {
        const reps = all.filter((p) => p.stack === stack && p.connections === n);
        if (reps.length === 0) continue;
        const m = median(reps);
        const us = reps.map((p) => p.usPerFrame);
        spread.set(m, `${Math.round(Math.min(...us))}–${Math.round(Math.max(...us))}`);
        points.push(m);
      }
    const ours = (stack: Stack) =>
      new Map(points.filter((p) => p.stack === stack).map((p) => [p.connections, p.usPerFrame]));
    const oursWasm = ours('voxwire');
    const oursNative = ours('voxwire-native');
    const versus = (p: Point, of: Map<number, number>, self: Stack) => {
      const o = of.get(p.connections);
      return o && p.stack !== self ? `${(p.usPerFrame / o).toFixed(2)}×` : '';
    };
    const rows = points.map((p) => [
      LABELS[p.stack],
      p.connections,
      p.usPerFrame,
      spread.get(p) ?? '',
      Math.floor(20000 / p.usPerFrame),
      versus(p, oursWasm, 'voxwire'),
      versus(p, oursNative, 'voxwire-native'),
      `${p.framesIn} / ${p.framesOut}`,
      `${p.delivered} / ${p.expected}`,
      p.stack === 'udp' ? '' : `${p.pitchOk} / ${p.peers}`,
      p.stack.startsWith('voxwire') ? p.concealed : '',
    ]);
    const floor = (name: string) => floors.find((f) => f.name.startsWith(name))?.usPerFrame ?? Number.NaN;
    const srtp = floor('SRTP protect + unprotect, AES-128-GCM');
    return [
      `Echo servers, each in its own process; ${REPEAT === 1 ? 'one run' : `median of ${REPEAT} runs alternating between stacks`};`,
      `${MEASURE_S} s measured per point after ${WARMUP_S} s of warm-up; callers (@voxwire/webrtc peers sending a 440 Hz tone) in another process;`,
      netns
        ? 'both inside a fresh network namespace (loopback plus one veth address, since libwebrtc skips loopback-only hosts).'
        : 'over the host loopback (no network namespace could be created here).',
      '"µs per frame" is the server\'s CPU (user + system, all threads) divided by the 20 ms frames it echoed',
      '(the mean of frames in and out); "vs voxwire" is that figure over ours with the same Opus (opusscript / @discordjs/opus)',
      'at the same connection count (> 1: we are cheaper).',
      '"delivered" counts the frames the callers got back against 50 per second per connection; "pitch ok" the callers',
      'whose last 0.5 s was the 440 Hz tone within 2 Hz. libwebrtc sends comfort noise / DTX differently, so its frame',
      "counts are its own sink's 10 ms callbacks ÷ 2.",
      skipped.size > 0
        ? `\nLeft out: ${[...skipped].map(([s, why]) => `${LABELS[s]}: ${why}`).join('; ')}.`
        : '',
      '',
      table(
        [
          'stack',
          'connections',
          'server CPU µs per 20 ms frame in+out',
          REPEAT > 1 ? `lowest–highest of the ${REPEAT} runs` : 'one run',
          'connections per core',
          'vs voxwire + opusscript',
          'vs voxwire + @discordjs/opus',
          'frames in / out at the server',
          'delivered / expected',
          'pitch ok',
          'concealed',
        ],
        rows,
      ),
      '',
      'Floor: the unavoidable parts of one echoed frame, measured alone in one process (best of 5 rounds):',
      '',
      table(
        ['part', 'CPU µs per frame in+out'],
        [
          ...floors.map((f) => [f.name, f.usPerFrame]),
          [
            'Opus (opusscript) + SRTP (GCM), without sockets',
            floor('Opus decode + encode (opusscript') + srtp,
          ],
          [
            'Opus (@discordjs/opus) + SRTP (GCM), without sockets',
            floor('Opus decode + encode (@discordjs') + srtp,
          ],
          // @discordjs/opus not built for this Node: its rows are left out, not NaN.
        ].filter(([, us]) => !Number.isNaN(us)),
      ),
      '',
      'An idle slot (nothing queued, the agent listening): what the sender pays every 20 ms, measured alone in one',
      'process (best of 5 rounds). `OutboundAudio` resends the settled silence packet by default (`reuseSilenceAfter`).',
      '',
      table(
        ['idle slot', 'CPU µs per slot'],
        idleSlots.map((r) => [r.name, r.usPerSlot]),
      ),
      '',
      'Opus on speech: the callers above send a steady tone, which libopus codes with CELT; a voice agent carries',
      'speech, which VoIP mode codes hybrid (SILK + CELT). Per frame: decode a packet the far end coded (VoIP, 32 kbit/s,',
      "libwebrtc's default) and encode the decoded frame with the setting shown, measured alone in one process (best of",
      '5 rounds); bitrate, SNR and modes are of the signal coded with that setting alone. SNR is a waveform measure',
      '(aligned for the codec delay): it ranks the settings, it is not a perceptual score, and it favours CELT, a',
      'waveform coder. espeak-ng speech, voiced part only.',
      '',
      table(
        [
          'backend',
          'signal',
          'opusApplication, opusComplexity',
          'CPU µs per frame decode + encode',
          'kbit/s',
          'SNR dB',
          '% packets SILK / hybrid / CELT',
        ],
        opusOnSpeech.map((r) => [
          r.backend,
          r.signal,
          `${r.application}, ${r.complexity}${r.application === 'voip' && r.complexity === 9 ? ' (default)' : ''}`,
          r.usPerFrame,
          r.kbps,
          r.snrDb,
          r.modes,
        ]),
      ),
      profileNotes(),
    ].join('\n');
  },
};
export default suite;
