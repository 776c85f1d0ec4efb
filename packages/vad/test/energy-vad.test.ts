import { type AudioFrame, audioFrame, floatToInt16 } from '@voxwire/codecs';
import { noise, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { EnergyVad, VadError } from '../src/index.js';
import { mono } from './support/signals.js';

function frames(vad: EnergyVad, pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + vad.frameSize <= pcm.length; i += vad.frameSize) {
    out.push(vad.process(mono(pcm.subarray(i, i + vad.frameSize), vad.sampleRate, i)));
  }
  return out;
}

function noisePcm(seconds: number, rate: number, rms: number, seed: number): Int16Array {
  const n = noise('white', Math.round(seconds * rate), seed);
  return Int16Array.from(n, (v) => Math.round(v * rms * 32768));
}

describe('EnergyVad', () => {
  it('measures the level of a frame: a −6 dBFS-peak sine is −9.03 dBFS RMS', () => {
    const vad = new EnergyVad({ sampleRate: 16000 });
    vad.process(mono(tone(500, 16000, 0.02 * 16000, 0.5)));
    expect(vad.levelDb).toBeCloseTo(-9.03, 1);
    expect(vad.rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it.each([8000, 16000, 24000, 48000])('separates a tone burst from silence at %i Hz', (rate) => {
    const vad = new EnergyVad({ sampleRate: rate });
    expect(vad.frameSize).toBe(rate / 50);
    const silence = frames(vad, new Int16Array(rate / 2));
    const burst = frames(vad, tone(300, rate, 0.5 * rate, 0.1));
    const after = frames(vad, new Int16Array(rate / 2));
    expect(Math.max(...silence)).toBeLessThan(0.5);
    // startFrames = 2: the first burst frame is not yet speech, the rest are.
    expect(burst.slice(1).every((p) => p >= 0.5)).toBe(true);
    // stopFrames = 8: 7 frames of hang-over, then silence again.
    expect(after.slice(0, 7).every((p) => p >= 0.5)).toBe(true);
    expect(after.slice(8).every((p) => p < 0.5)).toBe(true);
  });

  it('adapts its noise floor to steady background and still detects speech-level bursts above it', () => {
    const vad = new EnergyVad({ sampleRate: 16000 });
    // −30 dBFS white noise: above the absolute threshold (−40 dBFS), so only the floor keeps it out.
    const bg = noisePcm(3, 16000, 10 ** (-30 / 20), 7);
    const ps = frames(vad, bg);
    expect(vad.noiseFloorDb).toBeGreaterThan(-33);
    expect(vad.noiseFloorDb).toBeLessThan(-29);
    expect(ps.slice(25).every((p) => p < 0.5)).toBe(true);
    const loud = tone(300, 16000, 0.3 * 16000, 0.3);
    for (let i = 0; i < loud.length; i++) loud[i] += bg[i];
    const speech = frames(vad, loud);
    expect(speech.slice(2).every((p) => p >= 0.5)).toBe(true);
  });

  it('freezes the floor during speech so a long utterance does not raise it', () => {
    const vad = new EnergyVad({ sampleRate: 16000 });
    frames(vad, noisePcm(1, 16000, 10 ** (-50 / 20), 3));
    const before = vad.noiseFloorDb;
    const ps = frames(vad, tone(200, 16000, 3 * 16000, 0.2));
    expect(ps.at(-1)).toBeGreaterThanOrEqual(0.5);
    expect(vad.noiseFloorDb).toBeCloseTo(before, 0);
  });

  it('honours threshold, startFrames and stopFrames options', () => {
    const vad = new EnergyVad({ sampleRate: 16000, threshold: 0.2, startFrames: 4, stopFrames: 1 });
    // Quiet tone (RMS 0.07) is below the 0.2 absolute threshold.
    expect(frames(vad, tone(300, 16000, 0.2 * 16000, 0.1)).every((p) => p < 0.5)).toBe(true);
    const loud = frames(vad, tone(300, 16000, 0.2 * 16000, 0.9));
    expect(loud.slice(0, 3).every((p) => p < 0.5)).toBe(true);
    expect(loud.slice(3).every((p) => p >= 0.5)).toBe(true);
    expect(frames(vad, new Int16Array(320))[0]).toBeLessThan(0.5);
  });

  it('reset() forgets the floor and the speaking state', () => {
    const vad = new EnergyVad();
    frames(vad, tone(300, 16000, 0.2 * 16000, 0.5));
    expect(vad.speaking).toBe(true);
    vad.reset();
    expect(vad.speaking).toBe(false);
    expect(Number.isNaN(vad.noiseFloorDb)).toBe(true);
  });

  it('rejects bad input with clear VadErrors', () => {
    expect(() => new EnergyVad({ sampleRate: 44100 })).toThrow(/8000, 16000, 24000 or 48000 Hz, got 44100/);
    expect(() => new EnergyVad({ threshold: 0 })).toThrow(VadError);
    const vad = new EnergyVad();
    const err = (() => {
      try {
        vad.process(mono(new Int16Array(321)));
      } catch (e) {
        return e as VadError;
      }
    })();
    expect(err).toBeInstanceOf(VadError);
    expect(err?.code).toBe('FRAME_SIZE');
    expect(err?.message).toMatch(/exactly 320 samples, got 321/);
    expect(() => vad.process([1, 2, 3] as unknown as AudioFrame)).toThrow(/mono AudioFrame/);
    expect(() => vad.process(audioFrame(new Int16Array(640), 16000, 2))).toThrow(/mono AudioFrame/);
    const rate = (() => {
      try {
        vad.process(mono(new Int16Array(320), 8000));
      } catch (e) {
        return e as VadError;
      }
    })();
    expect(rate?.code).toBe('SAMPLE_RATE');
    expect(rate?.message).toMatch(/expects 16000 Hz frames, got 8000 Hz/);
  });

  it('takes Float32 audio converted with floatToInt16 with the same result as Int16', () => {
    const a = new EnergyVad();
    const b = new EnergyVad();
    const pcm = tone(440, 16000, 0.02 * 16000, 0.3);
    const f = Float32Array.from(pcm, (v) => v / 32768);
    expect(b.process(mono(floatToInt16(f)))).toBeCloseTo(a.process(mono(pcm)), 6);
  });
});
