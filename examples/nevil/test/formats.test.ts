// The design lets sample_rate be 16, 44.1 or 48 kHz and channel_count 2. End to end here: a tone played
// into the PulseAudio null sink is captured in that format, handed to onAudioData in that format, mixed down
// and resampled by the RealtimeConnectionManager, and committed at the local realtime server, whose
// transcriber (the one engine replaced: it keeps what the model was given) must see the same pitch and level
// at 24 kHz mono. Also: getCurrentVolume() follows the tone, setCallbacks() swaps the receiver mid-stream, and
// a JS stall longer than the ring shows up as droppedFrames while the sample accounting still holds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AudioFrame, wav } from '@voxwire/codecs';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { concat, dbfs, estimatePitchHz, tone, voicedSpan } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioCaptureManager, RealtimeConnectionManager } from '../src/index.js';
import { startTestPulse, type TestPulse } from './pulse.js';
import { Recorder } from './recorder.js';
import { tempDir, until } from './speech.js';

const FREQ = 440;
const AMPLITUDE = 0.2; // peak; RMS 0.141, −17.0 dBFS
const TONE_DB = 20 * Math.log10(AMPLITUDE / Math.SQRT2);

let pulse: TestPulse;
let server: RealtimeServer;
/** What the model was given: each committed turn as the server's transcriber received it. */
const heard: AudioFrame[] = [];
let monoTone: string;
let leftOnlyTone: string;

beforeAll(async () => {
  pulse = await startTestPulse('nevil_formats');
  server = await createRealtimeServer({
    port: 0,
    pacing: 'fast',
    engines: {
      transcriber: {
        name: 'keeps-audio',
        transcribe: async (audio) => {
          heard.push(audio);
          return '';
        },
      },
      responder: new ScriptedResponder([{ text: 'ok' }], { needsTranscripts: true }),
    },
  });
  const dir = tempDir();
  const frames = 48000 * 1.2;
  monoTone = join(dir, 'mono.wav');
  writeFileSync(
    monoTone,
    wav.write({ sampleRate: 48000, channels: 1, data: tone(FREQ, 48000, frames, AMPLITUDE) }),
  );
  // The tone on the left channel only: an average downmix gives the model the tone 6 dB lower.
  const stereo = tone(FREQ, 48000, frames, AMPLITUDE, { channels: 2 });
  for (let i = 1; i < stereo.length; i += 2) stereo[i] = 0;
  leftOnlyTone = join(dir, 'left.wav');
  writeFileSync(leftOnlyTone, wav.write({ sampleRate: 48000, channels: 2, data: stereo }));
});
afterAll(async () => {
  await server?.close();
  await pulse?.stop();
});

/** A connection with turn detection off: the test commits, so one turn is exactly one played tone. */
async function connect(): Promise<RealtimeConnectionManager> {
  const connection = new RealtimeConnectionManager({ url: server.url });
  await connection.start();
  connection.sendEvent({
    type: 'session.update',
    session: { input_audio_format: 'pcm16', turn_detection: null },
  });
  return connection;
}

/** The middle of the voiced span (edges trimmed: fades from the resamplers and the chunking). */
function voicedMiddle(pcm: Int16Array, sampleRate: number): { start: number; end: number } {
  const { first, last } = voicedSpan(pcm, 328);
  const trim = Math.round(sampleRate * 0.1);
  return { start: first + trim, end: last - trim };
}

const cases = [
  { rate: 16000, channels: 1, file: () => monoTone, modelDb: TONE_DB },
  { rate: 44100, channels: 1, file: () => monoTone, modelDb: TONE_DB },
  { rate: 48000, channels: 1, file: () => monoTone, modelDb: TONE_DB },
  { rate: 48000, channels: 2, file: () => leftOnlyTone, modelDb: TONE_DB - 6.02 },
];

describe('capture formats end to end (PulseAudio → AudioCaptureManager → local realtime server)', () => {
  for (const c of cases) {
    it(`${c.rate} Hz ${c.channels === 2 ? 'stereo' : 'mono'} arrives at the model as 24 kHz mono with its pitch and level`, {
      timeout: 60_000,
    }, async () => {
      const connection = await connect();
      const first = new Recorder();
      const second = new Recorder();
      const m = new AudioCaptureManager(
        // A 3 s ring: this test is about formats, and on a loaded 2-core CI machine the JS thread once went
        // more than the default 500 ms without draining it (the stall test below covers overruns).
        { sampleRate: c.rate, channelCount: c.channels, chunkSize: c.rate / 5, bufferSize: c.rate * 3 },
        first.callbacks(),
        connection,
      );
      try {
        m.initialize();
        m.startRecording();
        await until(() => first.chunks.length >= 1, 'the first chunk');
        const turns = heard.length;
        const played = pulse.play(c.file());
        // The meter follows the tone while it plays (an L-only stereo tone: RMS over both channels).
        const expected = (AMPLITUDE / Math.SQRT2) * (c.channels === 2 ? Math.SQRT1_2 : 1);
        await until(
          () => Math.abs(m.getCurrentVolume() - expected) < expected * 0.1,
          'the meter at the tone',
        );
        // Swap the receiver mid-stream: later chunks go to `second` only, none is lost or repeated.
        const handedToFirst = first.chunks.length;
        m.setCallbacks(second.callbacks());
        await played;
        await until(() => m.getCurrentVolume() < 0.001, 'the meter back at silence');
        m.stopRecording();
        const stats = m.getStats();
        expect(first.chunks.length).toBe(handedToFirst);
        expect(second.chunks.length).toBeGreaterThan(0);
        expect((first.sentFrames + second.sentFrames) / c.channels).toBe(stats.sentSamples);
        expect(stats).toMatchObject({ sampleRate: c.rate, channels: c.channels, droppedFrames: 0 });
        // onAudioData gets the configured format: full chunks of chunkSize frames, interleaved.
        const chunks = [...first.chunks, ...second.chunks];
        for (const chunk of chunks.slice(0, -1)) expect(chunk.pcm.length).toBe((c.rate / 5) * c.channels);
        const captured = concat(...chunks.map((x) => x.pcm));
        const span = voicedMiddle(captured, c.rate * c.channels); // interleaved: a span in samples
        const left = {
          channels: c.channels,
          channel: 0,
          start: Math.ceil(span.start / c.channels),
          end: Math.floor(span.end / c.channels),
        };
        expect(estimatePitchHz(captured, c.rate, left)).toBeCloseTo(FREQ, 0);
        expect(dbfs(captured, left)).toBeCloseTo(TONE_DB, 0);
        if (c.channels === 2) expect(dbfs(captured, { ...left, channel: 1 })).toBeLessThan(-60);

        connection.sendEvent({ type: 'input_audio_buffer.commit' });
        await until(() => heard.length > turns, 'the committed turn at the model');
        const model = heard[heard.length - 1] as AudioFrame;
        expect(model).toMatchObject({ sampleRate: 24000, channels: 1 });
        const seconds = model.data.length / 24000;
        expect(seconds).toBeCloseTo(stats.sentSamples / c.rate, 1); // everything sent, nothing added
        const mid = voicedMiddle(model.data, 24000);
        expect(estimatePitchHz(model.data, 24000, mid)).toBeCloseTo(FREQ, 0);
        expect(Math.abs(dbfs(model.data, mid) - c.modelDb)).toBeLessThan(0.5);
      } finally {
        m.dispose();
        connection.stop();
      }
    });
  }

  it('counts the frames a stalled JS thread could not take as droppedFrames; the rest is accounted for', {
    timeout: 30_000,
  }, async () => {
    const rec = new Recorder();
    const m = new AudioCaptureManager(
      { sampleRate: 16000, chunkSize: 3200, bufferSize: 1024 },
      rec.callbacks(),
    );
    try {
      m.initialize();
      m.startRecording();
      await until(() => rec.chunks.length >= 1, 'the first chunk');
      expect(m.getStats().droppedFrames).toBe(0);
      // Block the JS thread for 1.5 s: the native thread keeps capturing into a 500 ms ring, which overruns.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
      await until(() => m.getStats().droppedFrames > 0, 'the overrun to be counted');
      const sent = rec.chunks.length;
      await until(() => rec.chunks.length >= sent + 2, 'capture to go on after the overrun');
      m.stopRecording();
      const s = m.getStats();
      expect(s.droppedFrames).toBeGreaterThan(16000 * 0.5); // most of the second the ring had no room for
      expect(s.totalSamples).toBe(s.sentSamples + s.bufferSamples + s.suppressedSamples);
      expect(rec.errors).toEqual([]);
    } finally {
      m.dispose();
    }
  });
});
