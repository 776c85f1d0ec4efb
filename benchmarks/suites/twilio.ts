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
import { bridgeCall, twilioCallSession } from '@voxwire/bridge';
import { type AnyFrame, audioFrame, isEncodedFrame, mulaw } from '@voxwire/codecs';
import { RealtimeClient } from '@voxwire/realtime-client';
import { createMediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { WebSocketServer } from 'ws';
import { type Suite, table } from '../suite.js';

const WARMUP_S = 1;
/** `VOXWIRE_TWILIO_BENCH_ONLY=bridge,minimal-echo` runs those modes alone (comparing one change). */
const ONLY = process.env.VOXWIRE_TWILIO_BENCH_ONLY?.split(',') as Mode[] | undefined;
const MEASURE_S = 3;

interface ChildResult {
  frames: number;
  p50: number;
  p99: number;
  partialTicks: number;
  connected: number;
}

type Mode =
  | 'transcode'
  | 'transcode-no-progress-marks'
  | 'pass-through'
  | 'minimal-echo'
  | 'bridge'
  | 'bridge-no-quality'
  | 'bridge-g711-round-trip';

const isBridge = (mode: Mode) => mode.startsWith('bridge');

// --- child: the model stand-in for the bridge rows ---

/**
 * A Realtime API stand-in that answers every `input_audio_buffer.append` with the same audio as a
 * `response.output_audio.delta`: the bridge's model speaks back what the caller said, in the session's
 * format (G.711 mu-law with pass-through). It runs in the simulators' process, so its CPU is not counted.
 */
async function startEchoModel(): Promise<string> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'session.created', event_id: 'e0', session: { type: 'realtime' } }));
    let n = 0;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { type: string; audio?: string };
      if (msg.type !== 'input_audio_buffer.append' || !msg.audio) return;
      ws.send(
        JSON.stringify({
          type: 'response.output_audio.delta',
          event_id: `d${n++}`,
          response_id: 'resp_1',
          item_id: 'item_1',
          output_index: 0,
          content_index: 0,
          delta: msg.audio,
        }),
      );
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/realtime`;
}

// --- child: the simulated phones ---

async function runChild(url: string, n: number, withModel: boolean): Promise<void> {
  if (withModel) process.send?.({ type: 'model', url: await startEchoModel() });
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
  const [url, n, withModel] = JSON.parse(process.env.VOXWIRE_TWILIO_BENCH_CHILD) as [string, number, boolean];
  runChild(url, n, withModel).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

// --- parent: the server under test ---

/**
 * The path every bridged Twilio call took before pass-through (voxwire ≤ 0.1): the caller's mu-law decoded
 * to PCM at the call (the client encodes it to mu-law again for an `audio/pcmu` model). The call's `audio`
 * frames are replaced by their G.711 decode, so the bridge and the client see PCM.
 */
function decodingCaller<T extends ReturnType<typeof twilioCallSession>>(session: T): T {
  const emit = session.emit.bind(session) as (event: string, ...args: unknown[]) => boolean;
  (session as { emit: (event: string, ...args: unknown[]) => boolean }).emit = (event, ...args) => {
    const frame = args[0] as AnyFrame;
    if (event !== 'audio' || !isEncodedFrame(frame)) return emit(event, ...args);
    return emit('audio', audioFrame(mulaw.decode(frame.data), 8000, 1, frame.position));
  };
  return session;
}

/**
 * Starts the server for a mode; returns its URL and a close function. The bridge modes join each call to a
 * `RealtimeClient` whose model (`modelUrl()`, started by the child) echoes the caller.
 */
async function startServer(
  mode: Mode,
  modelUrl: () => string,
): Promise<{ url: string; close: () => Promise<void> }> {
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
  if (isBridge(mode)) {
    const server = await createMediaStreamServer({ port: 0, path: '/media' });
    server.on('call', (call) => {
      call.on('error', () => {});
      const roundTrip = mode === 'bridge-g711-round-trip';
      const realtime = new RealtimeClient({
        url: modelUrl(),
        reconnect: false,
        heartbeatIntervalMs: 0,
        // The model's mu-law decoded to PCM, which the call encodes again.
        ...(roundTrip ? { outputSampleRate: 8000 } : {}),
      });
      const session = twilioCallSession(call);
      const bridge = bridgeCall(roundTrip ? decodingCaller(session) : session, realtime, {
        hangupTool: false,
        quality: mode === 'bridge',
      });
      bridge.on('error', () => {});
    });
    return { url: `ws://127.0.0.1:${server.port}/media`, close: () => server.close() };
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

async function measure(
  mode: Mode,
  n: number,
): Promise<ChildResult & { cpuPerCall: number; cpuUsPerFrame: number }> {
  let model = '';
  const { url, close } = await startServer(mode, () => model);
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, VOXWIRE_TWILIO_BENCH_CHILD: JSON.stringify([url, n, isBridge(mode)]) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let cpuPerCall = Number.NaN;
  let cpuUs = Number.NaN;
  let result: ChildResult;
  try {
    result = await new Promise<ChildResult>((resolve, reject) => {
      child.on('message', (m: { type: string; result?: ChildResult; url?: string }) => {
        if (m.type === 'model' && m.url) model = m.url;
        else if (m.type === 'measuring') {
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
          cpuUs = used.user + used.system;
          cpuPerCall = (cpuUs / wallUs / n) * 100;
        }
      });
    });
  } finally {
    await exited;
    await close();
  }
  // Per frame the simulators got back: a starved simulator process sends fewer frames, and per-call CPU would flatter the server.
  return { ...result, cpuPerCall, cpuUsPerFrame: cpuUs / result.frames };
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
      ['minimal-echo', 20],
      ['bridge', 20],
      ['bridge-g711-round-trip', 20],
      ['bridge-no-quality', 20],
    ].filter(([mode]) => !ONLY || ONLY.includes(mode as Mode)) as [Mode, number][];
    const rows: (string | number)[][] = [];
    const base = new Map<number, number>();
    const results: [Mode, number, ChildResult & { cpuPerCall: number; cpuUsPerFrame: number }][] = [];
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
        r.cpuUsPerFrame.toFixed(0),
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
          'server CPU µs per echoed frame',
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
      '',
      `Bridge rows (\`@voxwire/bridge\`): each call goes through \`bridgeCall(twilioCallSession(call), realtimeClient)\` to`,
      `a model stand-in (in the simulators' process, so not counted) that answers every \`input_audio_buffer.append\``,
      `with the same audio as a \`response.output_audio.delta\`; the model talks \`audio/pcmu\` (pass-through, the`,
      `default). \`bridge\` keeps the default caller-quality monitor (it decodes the caller audio for its analysis);`,
      `\`bridge-no-quality\` turns it off; \`bridge-g711-round-trip\` is the path every bridged call took before`,
      `pass-through (voxwire 0.1): the caller's mu-law decoded to PCM at the call and encoded again by the client,`,
      `the model's mu-law decoded by the client and encoded again by the call (quality monitor off, like`,
      `\`bridge-no-quality\`). "µs per echoed frame" divides the server's CPU by the frames that came back, so a`,
      `simulator process starved by the machine does not make the server look cheaper.`,
      '',
      `Per 20 ms frame and direction, counted from the code: pass-through, inbound: base64 decode (the stream) →`,
      `byte copy into the 100 ms append batch (bridge) → base64 encode (client), 0 G.711 conversions; outbound:`,
      `base64 decode (client) → copy into 160-byte Twilio frames → base64 encode, 0 conversions. Round trip,`,
      `inbound: base64 decode → mu-law decode to a new Int16Array → copy into the client's PCM batch → mu-law`,
      `encode → base64 encode (2 conversions, 2 more buffers); outbound: base64 decode → mu-law decode → mu-law`,
      `encode → frame copy → base64 encode (2 conversions, 2 more buffers).`,
      '',
      `Before this change (the bridge of voxwire 0.1, run on the same machine just before it, 50 calls, load`,
      `average ~10): \`bridge\` 0.724 % CPU per call (2.11× minimal echo), \`bridge-no-quality\` 0.543 % (1.58×).`,
      `Sending each 20 ms mu-law frame as its own append (what the client does with an encoded frame) cost more`,
      `than the round trip it saves (5 WebSocket messages and JSON encodings per 100 ms instead of 1, and the`,
      `model's answers as small): the bridge batches the caller's frames into 100 ms appends for that reason.`,
      `With that, pass-through and the round trip cost about the same CPU here (the difference is within the`,
      `run-to-run noise of this shared machine): G.711 is a table lookup per sample, and the cost per frame is`,
      `in JSON, base64 and the WebSockets, which both paths pay. What pass-through buys is bytes that reach the`,
      `model and the caller unchanged (a round trip turns mu-law 0x7F into 0xFF) and two fewer buffers per frame.`,
    ].join('\n');
  },
};
export default suite;
