// N simulated Twilio calls against one media-stream server, full duplex. The simulators run in a child
// process (this same file, started with VOXWIRE_TWILIO_BENCH_CHILD) so the server process's CPU time is
// the server's alone. Latency is measured at the simulators on one monotonic clock: the time from sending
// caller frame k to receiving outbound frame k, so it includes two loopback hops, both event loops and, when
// transcoding, the resamplers' filter delay.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createMediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { WebSocketServer } from 'ws';
import { type Suite, table } from '../suite.js';

const WARMUP_S = 1;
const MEASURE_S = 3;

interface ChildResult {
  frames: number;
  p50: number;
  p99: number;
  partialTicks: number;
  connected: number;
}

type Mode = 'transcode' | 'transcode-no-progress-marks' | 'pass-through' | 'minimal-echo';

// --- child: the simulated phones ---

async function runChild(url: string, n: number): Promise<void> {
  const sims: TwilioSimulator[] = [];
  const latencies: number[] = [];
  let measuring = false;
  for (let i = 0; i < n; i++) {
    const sim = new TwilioSimulator({ url, speed: 1 });
    const sent: number[] = [];
    let received = 0;
    sim.on('tick', (clockMs) => {
      sent[clockMs / 20 - 1] = performance.now();
    });
    sim.on('media', (frame) => {
      const now = performance.now();
      for (let b = 0; b < frame.samples; b += 160) {
        const t = sent[received++];
        if (measuring && t !== undefined) latencies.push(now - t);
      }
    });
    sims.push(sim);
  }
  // Connect in batches: a burst of hundreds of upgrades on a loaded machine can outlast the HTTP timeouts.
  for (let i = 0; i < n; i += 20) await Promise.all(sims.slice(i, i + 20).map((s) => s.connect()));
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  measuring = true;
  process.send?.({ type: 'measuring' });
  await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
  measuring = false;
  const partialTicks = sims.reduce((s, sim) => s + sim.report().partialTicks, 0);
  await Promise.all(sims.map((s) => s.stop()));
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  const result: ChildResult = {
    frames: latencies.length,
    p50: q(0.5),
    p99: q(0.99),
    partialTicks,
    connected: sims.length,
  };
  process.send?.({ type: 'done', result });
}

if (process.env.VOXWIRE_TWILIO_BENCH_CHILD) {
  const [url, n] = JSON.parse(process.env.VOXWIRE_TWILIO_BENCH_CHILD) as [string, number];
  runChild(url, n).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

// --- parent: the server under test ---

/** Starts the server for a mode; returns its URL and a close function. */
async function startServer(mode: Mode): Promise<{ url: string; close: () => Promise<void> }> {
  if (mode === 'minimal-echo') {
    // What a hand-rolled handler does: parse, echo the payload back as is. No framing, marks, pacing.
    const http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      let streamSid = '';
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as {
          event: string;
          streamSid?: string;
          media?: { payload: string };
        };
        if (msg.event === 'start') streamSid = msg.streamSid ?? '';
        else if (msg.event === 'media' && msg.media) {
          ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: msg.media.payload } }));
        }
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    return {
      url: `ws://127.0.0.1:${port}/media`,
      close: async () => {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
        await new Promise<void>((r) => http.close(() => r()));
      },
    };
  }
  const transcode = mode !== 'pass-through';
  const server = await createMediaStreamServer({
    port: 0,
    path: '/media',
    sampleRate: transcode ? 24000 : 8000,
    progressMarks: mode !== 'transcode-no-progress-marks',
  });
  server.on('call', (call) => {
    call.on('error', () => {});
    // The agent stand-in answers with what it hears: 24 kHz PCM in, 24 kHz PCM out.
    if (transcode) call.on('pcm', (frame) => call.sendAudio(frame));
    else call.on('audio', (frame) => call.sendAudio(frame));
  });
  return { url: server.url, close: () => server.close() };
}

async function measure(mode: Mode, n: number): Promise<ChildResult & { cpuPerCall: number }> {
  const { url, close } = await startServer(mode);
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_TWILIO_BENCH_CHILD: JSON.stringify([url, n]) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let cpuPerCall = Number.NaN;
  let result: ChildResult;
  try {
    result = await new Promise<ChildResult>((resolve, reject) => {
      child.on('message', (m: { type: string; result?: ChildResult }) => {
        if (m.type === 'measuring') {
          cpu0 = process.cpuUsage();
          t0 = performance.now();
        } else if (m.type === 'done' && m.result) {
          resolve(m.result);
        }
      });
      child.on('exit', (code) => code !== 0 && reject(new Error(`simulator process exited with ${code}`)));
      // CPU is sampled when the child stops measuring: it reports right after its window ends.
      child.on('message', (m: { type: string }) => {
        if (m.type === 'done') {
          const used = process.cpuUsage(cpu0);
          const wallUs = (performance.now() - t0) * 1000;
          cpuPerCall = ((used.user + used.system) / wallUs / n) * 100;
        }
      });
    });
  } finally {
    await exited;
    await close();
  }
  return { ...result, cpuPerCall };
}

const suite: Suite = {
  id: 'twilio',
  title: 'Twilio media streams: simulated full-duplex calls (@voxwire/twilio-stream)',
  async run() {
    const runs: [Mode, number][] = [
      ['minimal-echo', 50],
      ['transcode', 50],
      ['transcode', 100],
      ['minimal-echo', 200],
      ['transcode', 200],
      ['transcode-no-progress-marks', 200],
      ['pass-through', 200],
    ];
    const rows: (string | number)[][] = [];
    const base = new Map<number, number>();
    const results: [Mode, number, ChildResult & { cpuPerCall: number }][] = [];
    const failures: string[] = [];
    for (const [mode, n] of runs) {
      try {
        const r = await measure(mode, n);
        results.push([mode, n, r]);
        if (mode === 'minimal-echo') base.set(n, r.cpuPerCall);
      } catch (err) {
        failures.push(`${mode} × ${n}: ${(err as Error).message}`);
      }
    }
    for (const [mode, n, r] of results) {
      const b = base.get(n);
      rows.push([
        mode,
        n,
        r.cpuPerCall.toFixed(3),
        Number.isFinite(r.cpuPerCall) ? Math.floor(100 / r.cpuPerCall) : '—',
        b ? `${(r.cpuPerCall / b).toFixed(2)}×` : '—',
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        r.frames,
        r.partialTicks,
      ]);
    }
    return [
      table(
        [
          'server',
          'calls',
          'server CPU % per call',
          'calls per core (est.)',
          'CPU vs minimal echo',
          'p50 frame latency ms',
          'p99 frame latency ms',
          'frames measured',
          'choppy frames',
        ],
        rows,
      ),
      ...(failures.length > 0 ? ['', `Runs that failed: ${failures.join('; ')}.`] : []),
      '',
      `Each call: the simulator sends a 20 ms mu-law frame every 20 ms (real-time clock) and plays what comes back`,
      `at the real-time rate, echoing marks. \`transcode\`: the server decodes to 24 kHz PCM16 and sends the same`,
      `PCM back through \`sendAudio(frame)\` (resample to 8 kHz, encode, frame, pace, progress mark per frame).`,
      `\`pass-through\`: the \`audio\` event's pcmu frame → \`sendAudio(frame)\`. \`minimal-echo\`: a bare \`ws\` handler that echoes each payload`,
      `(no framing, marks, pacing or validation), the floor any Twilio server pays. CPU is the server process's`,
      `user+system time over a ${MEASURE_S} s window after ${WARMUP_S} s of warm-up; the simulators run in another`,
      `process. Latency is caller frame k sent → outbound frame k received, at the simulators (includes both event`,
      `loops on a shared machine; transcoding adds the two resamplers' filter delay, about one frame).`,
      `Load average when the run ended: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1/5/15 min) on this shared machine; compare rows, not absolute values.`,
      '',
      `Peer: \`@openai/agents-extensions\`' \`TwilioRealtimeTransportLayer\` is not in this table. It extends the`,
      `OpenAI Realtime WebSocket transport and only runs inside a \`RealtimeSession\` connected to a Realtime`,
      `endpoint: it could be pointed at a local stand-in through its \`url\` option, but that measures a whole agent`,
      `loop (session events, model turns), not the Twilio transport alone, and it has no pass-through mode. The`,
      `minimal echo handler is the same-run reference instead.`,
    ].join('\n');
  },
};
export default suite;
