import { Worker } from 'node:worker_threads';
import { AudioRing } from '@voxwire/ringbuffer';
import { estimatePitchHz, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioMixer, MixerError } from '../src/index.js';
import { collect, frame } from './audio-helpers.js';

describe('inputs fed from a shared ring', () => {
  it('drains an Int16 ring (as the native capture fills it) into the mix, resampled', () => {
    const capture = AudioRing.create({ sampleRate: 16_000, channels: 1, frames: 16_000, Type: Int16Array });
    const mixer = new AudioMixer({ sampleRate: 48_000, frameMs: 20 });
    mixer.addStream('mic', { source: capture, jitterMs: 20 });
    const audio = tone(600, 16_000, 16_000, 9000 / 32_767);
    const out = new Int16Array(50 * 960);
    for (let f = 0; f < 50; f++) {
      // The capture callback delivers 10 ms at a time, twice per mixer frame.
      capture.pushFrames(audio, f * 320, 160);
      capture.pushFrames(audio, f * 320 + 160, 160);
      out.set(mixer.mixFrame().data, f * 960);
    }
    expect(estimatePitchHz(out.subarray(9600), 48_000)).toBeCloseTo(600, 0);
    expect(capture.ring.underruns).toBe(0);
    expect(capture.framesAvailable()).toBe(0);
    expect(mixer.stats().inputs[0].underruns).toBe(0);
    expect(() => mixer.pushAudio('mic', frame(new Int16Array(160), 16_000))).toThrow(MixerError);
  });

  it('mixes audio a worker thread writes into a Float32 ring', async () => {
    const ring = AudioRing.create({ sampleRate: 8000, channels: 1, frames: 8000, Type: Float32Array });
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const f = new Float32Array(workerData.sab, 256, 8);
       const header = new Int32Array(workerData.sab, 0, 64);
       // Layout v1 by hand, as native code would: 4000 samples of 0.25, then publish the write index.
       const cap = header[2];
       const data = new Float32Array(workerData.sab, 256, cap);
       for (let i = 0; i < 4000; i++) data[i] = 0.25;
       Atomics.store(header, 16, 4000);`,
      { eval: true, workerData: { sab: ring.sab } },
    );
    await new Promise((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('remote', { source: ring, jitterMs: 0, maxBufferMs: 1000 });
    const out = collect(mixer, 25);
    expect(out.every((v) => v === 8192)).toBe(true);
    expect(mixer.stats().inputs[0].receivedMs).toBe(500);
  });

  it('refuses a source whose format disagrees with the options, or that is not a ring', () => {
    const ring = AudioRing.create({ sampleRate: 16_000, channels: 1, frames: 320, Type: Int16Array });
    const mixer = new AudioMixer({ sampleRate: 16_000 });
    expect(() => mixer.addStream('x', { source: ring, sampleRate: 8000 })).toThrow(/16000 Hz × 1/);
    expect(() => mixer.addStream('y', { source: {} as typeof ring })).toThrow(/AudioRing/);
  });
});
