import { describe, expect, it } from 'vitest';
import {
  concat,
  dbfs,
  estimatePitchHz,
  rms,
  silence,
  tone,
  toneAmplitude,
  toneFloat32,
} from '../src/index.js';

describe('tone', () => {
  it('is a sine of the asked length, peak and channel count', () => {
    const t = tone(1000, 8000, 800, 0.25);
    expect(t.length).toBe(800);
    // 1 kHz at 8 kHz: the peak falls on sample 2 of each 8-sample period.
    expect(t[2]).toBe(8192); // 0.25 × 32767, rounded
    expect(t[6]).toBe(-8192);
    const stereo = tone(440, 48000, 480, 0.25, { channels: 2 });
    expect(stereo.length).toBe(960);
    for (let i = 0; i < 480; i++) expect(stereo[2 * i]).toBe(stereo[2 * i + 1]);
  });

  it('adds the harmonics it is given', () => {
    const pure = tone(200, 16000, 16000, 0.3);
    const rich = tone(200, 16000, 16000, 0.3, { harmonics: [0.5] });
    // Uncorrelated components add in power: (1 + 0.25) times the energy.
    expect(rms(rich) / rms(pure)).toBeCloseTo(Math.sqrt(1.25), 3);
  });
});

describe('rms and dbfs', () => {
  it('reads 1/√2 and −3.01 dBFS for a full-scale sine', () => {
    const t = tone(440, 48000, 48000, 1);
    expect(rms(t)).toBeCloseTo(Math.SQRT1_2, 4);
    expect(dbfs(t)).toBeCloseTo(-3.01, 2);
  });

  it('halving the amplitude costs 6.02 dB; silence reads 0 and a finite floor', () => {
    expect(dbfs(tone(440, 48000, 48000, 1)) - dbfs(tone(440, 48000, 48000, 0.5))).toBeCloseTo(6.02, 2);
    expect(rms(silence(100))).toBe(0);
    expect(Number.isFinite(dbfs(silence(100)))).toBe(true);
    expect(rms(new Int16Array(0))).toBe(0);
  });

  it('measures one channel of a span of interleaved audio', () => {
    const left = tone(300, 8000, 800, 0.5);
    const stereo = new Int16Array(1600);
    for (let i = 0; i < 800; i++) stereo[2 * i] = left[i] as number;
    expect(rms(stereo, { channels: 2, channel: 0 })).toBeCloseTo(rms(left), 6);
    expect(rms(stereo, { channels: 2, channel: 1 })).toBe(0);
    expect(rms(concat(silence(400), tone(300, 8000, 400, 0.5)), { start: 0, end: 400 })).toBe(0);
  });
});

describe('silence and concat', () => {
  it('concatenates in order into a new array', () => {
    const a = Int16Array.of(1, 2);
    const b = Int16Array.of(3);
    const c = concat(a, silence(2), b);
    expect(Array.from(c)).toEqual([1, 2, 0, 0, 3]);
    c[0] = 9;
    expect(a[0]).toBe(1);
    expect(silence(3, 2).length).toBe(6);
    expect(concat().length).toBe(0);
  });
});

describe('toneFloat32 and toneAmplitude', () => {
  it('measures the amplitude of each tone of a mixture, and nothing at a frequency absent from it', () => {
    const rate = 16000;
    const n = rate / 5; // 0.2 s: whole periods of every tone on a 5 Hz grid
    const a = toneFloat32(440, rate, n, 0.5);
    const b = toneFloat32(1000, rate, n, 0.125);
    const mix = a.map((v, i) => v + (b[i] as number));
    expect(toneAmplitude(mix, 440, rate)).toBeCloseTo(0.5, 6);
    expect(toneAmplitude(mix, 1000, rate)).toBeCloseTo(0.125, 6);
    expect(toneAmplitude(mix, 3000, rate)).toBeLessThan(1e-6);
    // The same on Int16 PCM, in its units, within its quantisation.
    const pcm = tone(440, rate, n, 0.5);
    expect(toneAmplitude(pcm, 440, rate, { start: 800, length: 1600 }) / 32767).toBeCloseTo(0.5, 4);
  });
});

describe('float tones and levels', () => {
  it('continues a tone block by block without a phase jump, and reads float levels against 1.0', () => {
    const whole = toneFloat32(1000, 48000, 960, 0.5, { channels: 2 });
    const first = toneFloat32(1000, 48000, 480, 0.5, { channels: 2 });
    const second = toneFloat32(1000, 48000, 480, 0.5, { channels: 2, startSample: 480 });
    expect(Array.from(second)).toEqual(Array.from(whole.subarray(960)));
    expect(Array.from(first)).toEqual(Array.from(whole.subarray(0, 960)));
    expect(rms(toneFloat32(440, 48000, 48000, 1))).toBeCloseTo(Math.SQRT1_2, 4);
    expect(dbfs(whole, { channels: 2, channel: 1 })).toBeCloseTo(-9.03, 2);
    expect(Math.abs(estimatePitchHz(whole, 48000, { channels: 2 }) - 1000)).toBeLessThan(1);
  });
});
