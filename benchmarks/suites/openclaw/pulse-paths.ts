// The device paths of the OpenClaw benchmark on a real sound server: a private PulseAudio whose null sinks
// are the microphone (`claw_mic`, OpenClaw captures its monitor) and the speaker (`claw_out`). Measured per
// AUDIO_LATENCY setting with the same 20 ms block:
// - mic → model: a burst written into the microphone's sink by a player in this process until its first
//   samples arrive at the model's WebSocket;
// - call → speaker: a burst in a simulated call until its first samples come back from the speaker's monitor.
// The injecting player and the recorder are our own pulse streams with 10 ms periods: their buffering is in
// both columns alike.
import { audioFrame } from '@voxwire/codecs';
import { startPulse } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { AudioCapture, AudioPlayback } from '@voxwire/wasapi';
import { configFromEnv, createLogger, startOpenClaw } from '../../../examples/openclaw/src/index.js';

/** Latencies (ms) per path. */
export type PathSamples = Record<'mic → model' | 'call → speaker', number[]>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs both paths `reps` times for one AUDIO_LATENCY setting.
 * @param modelUrl - the stand-in model (it calls `modelOnsets.push` on each loud onset)
 */
export async function pulseDevicePaths(
  latency: 'low' | 'high',
  reps: number,
  burst: (rate: number) => Int16Array,
  loud: (pcm: Int16Array) => boolean,
  model: { url: string; onsets: number[] },
): Promise<PathSamples> {
  const pulse = await startPulse('claw_mic');
  pulse.pactl('load-module', 'module-null-sink', 'sink_name=claw_out', 'rate=48000', 'channels=2');
  const out: PathSamples = { 'mic → model': [], 'call → speaker': [] };
  const player = new AudioPlayback({
    backend: 'pulse',
    deviceId: 'claw_mic',
    sampleRate: 48000,
    bufferMs: 40,
  });
  const recorder = new AudioCapture({ backend: 'pulse', deviceId: 'claw_out.monitor', sampleRate: 48000 });
  const app = await startOpenClaw({
    config: configFromEnv({
      SIGNALING_PORT: '0',
      TWILIO_PORT: '0',
      MONITOR_INTERVAL_MS: '0',
      AUDIO_BACKEND: 'pulse',
      AUDIO_INPUT_DEVICE: 'claw_mic.monitor',
      AUDIO_OUTPUT_DEVICE: 'claw_out',
      AUDIO_LATENCY: latency,
    }),
    log: createLogger('warn', () => {}),
    realtimeUrl: model.url,
  });
  let speakerOnset: number | undefined;
  let speakerQuiet = true;
  recorder.on('audio', ({ data }) => {
    const isLoud = loud(data as Int16Array);
    if (isLoud && speakerQuiet && speakerOnset === undefined) speakerOnset = performance.now();
    speakerQuiet = !isLoud;
  });
  const sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
  try {
    player.start();
    recorder.start();
    const silence = new Int16Array(960);
    const b48 = burst(48000);
    // Keeps the player's ring topped up in real time (so a burst waits behind at most ~40 ms).
    const play = async (pcm: Int16Array) => {
      for (let i = 0; i < pcm.length; i += 960) {
        while (player.framesWritable < 960) await sleep(2);
        player.write(audioFrame(pcm.subarray(i, i + 960), 48000));
      }
    };
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < 35; i++) await play(silence);
      const before = model.onsets.length;
      const at = performance.now();
      await play(b48);
      const deadline = performance.now() + 3000;
      while (model.onsets.length === before && performance.now() < deadline) await sleep(5);
      if (model.onsets.length > before) out['mic → model'].push((model.onsets[before] as number) - at);
    }
    await sim.connect();
    const b8 = burst(8000);
    for (let r = 0; r < reps; r++) {
      await sleep(700);
      speakerOnset = undefined;
      let sentAt: number | undefined;
      sim.once('tick', () => {
        sentAt ??= performance.now();
      });
      await sim.streamAudio(audioFrame(b8, 8000));
      const deadline = performance.now() + 3000;
      while (speakerOnset === undefined && performance.now() < deadline) await sleep(5);
      if (speakerOnset !== undefined && sentAt !== undefined)
        out['call → speaker'].push(speakerOnset - sentAt);
    }
  } finally {
    await sim.stop().catch(() => {});
    await app.close();
    await player.close();
    await recorder.close();
    await pulse.stop();
  }
  return out;
}
