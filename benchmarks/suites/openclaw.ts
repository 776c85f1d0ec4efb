import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { audioFrame, mulaw } from '@voxwire/codecs';
import { tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { AudioCore } from '@voxwire/wasapi';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  configFromEnv,
  createLogger,
  joinNodePeer,
  startOpenClaw,
} from '../../examples/openclaw/src/index.js';
import { type Suite, table } from '../suite.js';
import { type PathSamples, pulseDevicePaths } from './openclaw/pulse-paths.js';

// End-to-end latency of the OpenClaw example per path, over loopback on one machine:
// - device → model: a burst pushed where the capture callback pushes (`mic_input`) until its first samples
//   arrive at the model's WebSocket (the mixer frame, the realtime client's 100 ms batching, base64, the
//   socket), plus what the audio device itself adds (AudioCore.getLatencyStats on the null backend).
// - call → peer: a burst in a simulated Twilio call (sent at the tick that carries its first frame) until a
//   werift peer joined through signaling decodes it (mu-law, 8→48 kHz, jitter buffer, mixer, Opus, RTP).
// - peer → call: the reverse, until the burst's first frame reaches the simulated Twilio.
// The model is a minimal WebSocket stand-in that only timestamps arriving audio (it never answers), so the
// numbers are transport, not inference. Onsets are found by level; each path is measured REPS times.

const REPS = 12;
const BURST_MS = 300;
const GAP_MS = 700;
const THRESHOLD = 2000;

/** The 1 kHz burst every party sends (12000 peak, well above THRESHOLD). */
function burst(rate: number): Int16Array {
  return tone(1000, rate, (rate * BURST_MS) / 1000, 12000 / 32767);
}

function loud(pcm: Int16Array): boolean {
  for (let i = 0; i < pcm.length; i++) if (Math.abs(pcm[i] as number) > THRESHOLD) return true;
  return false;
}

function stats(xs: number[]): (string | number)[] {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return [
    String(s.length),
    q(0.5).toFixed(1),
    q(0.95).toFixed(1),
    (s[0] as number).toFixed(1),
    (s.at(-1) as number).toFixed(1),
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A realtime-protocol stand-in that timestamps the first loud audio after each quiet spell. */
async function stubModel(onOnset: (atMs: number) => void) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let quiet = true;
  wss.on('connection', (ws: WebSocket) => {
    const send = (m: object) => ws.send(JSON.stringify(m));
    send({ type: 'session.created', event_id: 'e0', session: { type: 'realtime', id: 's1', model: 'stub' } });
    ws.on('message', (data) => {
      const at = performance.now();
      const msg = JSON.parse(String(data)) as { type: string; audio?: string; session?: object };
      if (msg.type === 'session.update')
        send({ type: 'session.updated', event_id: 'e1', session: { type: 'realtime', ...msg.session } });
      if (msg.type !== 'input_audio_buffer.append' || !msg.audio) return;
      const b = Buffer.from(msg.audio, 'base64');
      const pcm = new Int16Array(b.buffer, b.byteOffset, b.length >> 1);
      const isLoud = loud(pcm);
      if (isLoud && quiet) onOnset(at);
      quiet = !isLoud;
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/realtime`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => r());
      }),
  };
}

/** Device latency the null backend reports at the configured preset (capture + playback rings). */
async function deviceLatency(): Promise<{ avgMs: number; p95Ms: number; captureMs: number }> {
  const core = new AudioCore();
  core.initialize(
    { backend: 'null', sampleRate: 48000, blockSize: 960 },
    { backend: 'null', sampleRate: 48000, blockSize: 960 },
  );
  core.capture.on('audio', () => {});
  core.start();
  await sleep(2000);
  const s = core.getLatencyStats();
  await core.close();
  return { avgMs: s.avgMs ?? Number.NaN, p95Ms: s.p95Ms ?? Number.NaN, captureMs: s.captureMs };
}

/** The PulseAudio table: each path at AUDIO_LATENCY low and high, with the ratio of the p50s. */
function pulseSection(pulse: Partial<Record<'low' | 'high', PathSamples>>, note: string): string[] {
  const { low, high } = pulse;
  if (!low || !high) return [note || 'PulseAudio paths not measured.'];
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const rows = (['mic → model', 'call → speaker'] as const).flatMap((path) => [
    [`${path} (low)`, ...stats(low[path])],
    [`${path} (high)`, ...stats(high[path]), `×${(p50(high[path]) / p50(low[path])).toFixed(2)} of low`],
  ]);
  return [
    'Through the sound device: a private PulseAudio with null sinks as microphone and speaker, the same 20 ms',
    'block, `AUDIO_LATENCY=low` (10 ms device periods, 60 ms playback ring) against `high` (20 ms periods, 200 ms',
    "rings). Includes the injecting player's and the recorder's own pulse buffering (10 ms periods, alike in",
    'both rows); same load as above:',
    '',
    table(
      ['path', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms', 'high / low'],
      rows.map((r) => (r.length === 6 ? [...r, ''] : r)),
    ),
  ];
}

const suite: Suite = {
  id: 'openclaw',
  title: 'OpenClaw example: end-to-end latency per path',
  async run() {
    const modelOnsets: number[] = [];
    const model = await stubModel((at) => modelOnsets.push(at));
    const app = await startOpenClaw({
      config: configFromEnv({
        SIGNALING_PORT: '0',
        TWILIO_PORT: '0',
        MONITOR_INTERVAL_MS: '0',
        AUDIO_BACKEND: 'null',
      }),
      log: createLogger('warn', () => {}),
      device: false,
      realtimeUrl: model.url,
    });
    const results: Record<string, number[]> = { 'device → model': [], 'call → peer': [], 'peer → call': [] };
    try {
      // device → model
      app.router.add('mic_input', { sampleRate: 48000 });
      const frame = new Int16Array(960);
      const b48 = burst(48000);
      for (let r = 0; r < REPS; r++) {
        // Feed silence like a running capture device, then the burst, in 20 ms frames on a timer.
        const quietUntil = performance.now() + GAP_MS;
        while (performance.now() < quietUntil) {
          app.router.push('mic_input', frame);
          await sleep(20);
        }
        const before = modelOnsets.length;
        const pushedAt = performance.now();
        for (let i = 0; i < b48.length; i += 960) {
          app.router.push('mic_input', b48.subarray(i, i + 960));
          await sleep(20);
        }
        const deadline = performance.now() + 3000;
        while (modelOnsets.length === before && performance.now() < deadline) await sleep(5);
        if (modelOnsets.length > before)
          results['device → model']?.push((modelOnsets[before] as number) - pushedAt);
      }
      app.router.remove('mic_input');

      // call → peer and peer → call
      const sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
      const peer = await joinNodePeer(app.signalingUrl);
      await sim.connect();
      const t0 = performance.now();
      while (app.router.size < 3 && performance.now() - t0 < 30_000) await sleep(20);
      let peerOnset: number | undefined;
      let peerQuiet = true;
      peer.peer.on('audio', ({ data: pcm }) => {
        const isLoud = loud(pcm);
        if (isLoud && peerQuiet && peerOnset === undefined) peerOnset = performance.now();
        peerQuiet = !isLoud;
      });
      let callOnset: number | undefined;
      let callQuiet = true;
      sim.on('media', (frame) => {
        const isLoud = loud(mulaw.decode(frame.data));
        if (isLoud && callQuiet && callOnset === undefined) callOnset = performance.now();
        callQuiet = !isLoud;
      });
      const b8 = burst(8000);
      for (let r = 0; r < REPS; r++) {
        await sleep(GAP_MS);
        peerOnset = undefined;
        let sentAt: number | undefined;
        const armed = () => {
          sentAt ??= performance.now();
        };
        const done = sim.streamAudio(audioFrame(b8, 8000));
        sim.once('tick', armed);
        await done;
        const deadline = performance.now() + 3000;
        while (peerOnset === undefined && performance.now() < deadline) await sleep(5);
        if (peerOnset !== undefined && sentAt !== undefined) results['call → peer']?.push(peerOnset - sentAt);
      }
      for (let r = 0; r < REPS; r++) {
        await sleep(GAP_MS);
        callOnset = undefined;
        const sentAt = performance.now();
        peer.peer.sendAudio(audioFrame(b48, 48000));
        const deadline = performance.now() + 3000;
        while (callOnset === undefined && performance.now() < deadline) await sleep(5);
        if (callOnset !== undefined) results['peer → call']?.push(callOnset - sentAt);
      }
      await sim.stop();
      await peer.leave();
    } finally {
      await app.close();
      await model.close();
    }
    const device = await deviceLatency();
    // The device paths on PulseAudio, AUDIO_LATENCY low against high with the same 20 ms block.
    const pulse: Partial<Record<'low' | 'high', PathSamples>> = {};
    let pulseNote = '';
    for (const latency of ['low', 'high'] as const) {
      const onsets: number[] = [];
      const m = await stubModel((at) => onsets.push(at));
      try {
        pulse[latency] = await pulseDevicePaths(latency, REPS, burst, loud, { url: m.url, onsets });
      } catch (err) {
        pulseNote = `PulseAudio paths not measured: ${(err as Error).message.split('\n')[0]}`;
      } finally {
        await m.close();
      }
    }
    const load = loadavg()[0]?.toFixed(1);
    const rows = Object.entries(results).map(([path, xs]) => [
      path,
      ...(xs.length ? stats(xs) : ['0', '-', '-', '-', '-']),
    ]);
    return [
      'Software path latency (ms) from the burst entering OpenClaw to its first samples at the far end, loopback,',
      `${REPS} bursts of ${BURST_MS} ms per path, 20 ms mixer frames (STANDARD preset), machine load average ${load}`,
      '(shared machine: compare p50s; the tails follow the load):',
      '',
      table(['path', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms'], rows),
      '',
      `The audio device adds its own part to device → model: the null backend at 20 ms periods reports capture`,
      `${device.captureMs.toFixed(1)} ms and capture+playback ${device.avgMs.toFixed(1)} ms avg (p95 ${device.p95Ms.toFixed(1)} ms)`,
      "(AudioCore.getLatencyStats). Where the time goes: device → model is dominated by the realtime client's",
      "100 ms input batching (`batchMs`) plus up to one 20 ms mixer frame; call → peer adds the call's 60 ms",
      "jitter buffer, the mixer frame and the peer's Opus framing and jitter buffer; peer → call adds the",
      'peer jitter buffer, the mixer frame and Twilio framing (arrival at Twilio, not playback).',
      '',
      ...pulseSection(pulse, pulseNote),
    ].join('\n');
  },
};

export default suite;
