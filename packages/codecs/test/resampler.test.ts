import { toneAmplitude as amplitudeAt, toneFloat32 } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, Resampler } from '../src/index.js';

const RATES = [8000, 16000, 24000, 44100, 48000];
const PAIRS = RATES.flatMap((a) => RATES.filter((b) => b !== a).map((b) => [a, b] as const));

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tone(rate: number, freq: number, seconds: number, amp = 0.5): Float32Array {
  return toneFloat32(freq, rate, Math.round(rate * seconds), amp);
}

function toneAmplitude(x: Float32Array, start: number, n: number, freq: number, rate: number): number {
  return amplitudeAt(x, freq, rate, { start, length: n });
}

function meanSquare(x: Float32Array, start: number, n: number): number {
  let e = 0;
  for (let i = start; i < start + n; i++) e += x[i] * x[i];
  return e / n;
}

// Analysis window: 0.2 s, so every multiple of 5 Hz is exactly periodic in it at every rate (coherent
// sampling: no window needed, no leakage), measured after the start-up transient.
const RESOLUTION = 5;
const WINDOW_S = 1 / RESOLUTION;

function runTone(from: number, to: number, freq: number): { out: Float32Array; start: number; n: number } {
  const r = new Resampler({ inputRate: from, outputRate: to });
  const skip = Math.ceil(2 * r.delaySamples) + 16;
  const seconds = WINDOW_S + (skip + 64) / to + 0.01;
  const out = r.process(tone(from, freq, seconds));
  const n = Math.round(to * WINDOW_S);
  expect(out.length).toBeGreaterThanOrEqual(skip + n);
  return { out, start: skip, n };
}

function grid(lo: number, hi: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    const f = Math.round((lo + ((hi - lo) * i) / (count - 1)) / RESOLUTION) * RESOLUTION;
    out.add(Math.min(Math.max(f, lo), hi));
  }
  return [...out];
}

const db = (ratio: number) => 20 * Math.log10(ratio);

describe.each(PAIRS)('Resampler %i → %i Hz (default quality)', (from, to) => {
  const lowNyquist = Math.min(from, to) / 2;

  it('passband ripple ≤ 0.1 dB up to 90 % of the lower Nyquist frequency', () => {
    const gains = grid(RESOLUTION * 4, 0.9 * lowNyquist, 9).map((f) => {
      const { out, start, n } = runTone(from, to, f);
      return db(toneAmplitude(out, start, n, f, to) / 0.5);
    });
    const ripple = Math.max(...gains) - Math.min(...gains);
    expect(ripple).toBeLessThanOrEqual(0.1);
    for (const g of gains) expect(Math.abs(g)).toBeLessThanOrEqual(0.1);
  });

  if (from > to) {
    it('rejects aliases of tones above the output Nyquist frequency by ≥ 100 dB', () => {
      const worst = Math.max(
        ...grid(to / 2 + RESOLUTION, from / 2 - RESOLUTION, 7).map((f) => {
          const { out, start, n } = runTone(from, to, f);
          // Everything at the output is alias: compare its power with the input tone's (amplitude 0.5).
          return 10 * Math.log10(meanSquare(out, start, n) / 0.125);
        }),
      );
      expect(worst).toBeLessThanOrEqual(-100);
    });
  } else {
    it('rejects images above the input Nyquist frequency by ≥ 100 dB', () => {
      const worst = Math.max(
        ...grid(RESOLUTION * 4, from / 2 - RESOLUTION, 7).map((f) => {
          const { out, start, n } = runTone(from, to, f);
          // A pure tone through a linear filter stays that tone; whatever else there is is images/noise,
          // compared with the input tone's power (amplitude 0.5).
          const a = toneAmplitude(out, start, n, f, to);
          const residual = meanSquare(out, start, n) - (a * a) / 2;
          return 10 * Math.log10(Math.max(residual, 1e-30) / 0.125);
        }),
      );
      expect(worst).toBeLessThanOrEqual(-100);
    });
  }
});

describe('Resampler streaming', () => {
  function chunks<T extends Int16Array | Float32Array>(data: T, rand: () => number, frame: number): T[] {
    const out: T[] = [];
    let pos = 0;
    while (pos < data.length) {
      const pick = rand();
      const frames = pick < 0.15 ? 0 : pick < 0.35 ? 1 : Math.floor(rand() * 700);
      const n = Math.min(frames * frame, data.length - pos);
      out.push(data.subarray(pos, pos + n) as T);
      pos += n;
    }
    return out;
  }

  function concat<T extends Int16Array | Float32Array>(parts: T[], make: (n: number) => T): T {
    const out = make(parts.reduce((a, p) => a + p.length, 0));
    let pos = 0;
    for (const p of parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }

  it.each([
    [48000, 16000, 1],
    [8000, 24000, 1],
    [44100, 16000, 2],
    [24000, 48000, 2],
  ])(
    '%i → %i Hz ×%i channels: identical output for random chunking (incl. 0 and 1 samples)',
    (from, to, ch) => {
      const rand = rng(from + to + ch);
      const pcm = Int16Array.from({ length: from * 0.25 * ch }, () => Math.round((rand() * 2 - 1) * 20000));
      const whole = new Resampler({ inputRate: from, outputRate: to, channels: ch });
      const reference = concat([whole.process(pcm), whole.flush()], (n) => new Int16Array(n));
      expect(reference.length).toBe(Math.ceil((pcm.length / ch) * (to / from)) * ch);
      for (let trial = 0; trial < 3; trial++) {
        const r = new Resampler({ inputRate: from, outputRate: to, channels: ch });
        const parts: Int16Array[] = chunks(pcm, rand, ch).map((c) => r.process(c));
        parts.push(r.flush());
        expect(concat(parts, (n) => new Int16Array(n))).toEqual(reference);
      }
      const float = Float32Array.from(pcm, (v) => v / 32768);
      const rf = new Resampler({ inputRate: from, outputRate: to, channels: ch });
      const fRef = concat([rf.process(float), rf.flush('float32')], (n) => new Float32Array(n));
      const parts: Float32Array[] = chunks(float, rand, ch).map((c) => rf.process(c));
      parts.push(rf.flush('float32'));
      expect(concat(parts, (n) => new Float32Array(n))).toEqual(fRef);
    },
  );

  it('returns a fresh array by default and a view of `out` when given', () => {
    const r = new Resampler({ inputRate: 48000, outputRate: 16000 });
    const input = new Int16Array(960).fill(1000);
    const a = r.process(input);
    const b = r.process(input);
    expect(a.buffer).not.toBe(b.buffer);
    expect(r.maxOutputLength(960)).toBe(320);
    const out = new Int16Array(r.outputLength(960) + 10);
    const c = r.process(input, out);
    expect(c.buffer).toBe(out.buffer);
    expect(() => r.process(input, new Int16Array(1))).toThrow(AudioFormatError);
    expect(() => r.process(input, new Float32Array(1000) as unknown as Int16Array)).toThrow(AudioFormatError);
  });

  it('keeps the output time-aligned: a DC step comes out at the same time, level preserved', () => {
    const r = new Resampler({ inputRate: 8000, outputRate: 48000 });
    const input = new Float32Array(800);
    input.fill(0.5, 400);
    const out = r.process(input);
    const all = new Float32Array(out.length + 4800);
    all.set(out);
    all.set(r.flush('float32'), out.length);
    // The step between input samples 399 and 400 is centred on output sample 2397 (input time 399.5); the
    // filter is symmetric, so the output crosses half the step there.
    expect(all[2397]).toBeCloseTo(0.25, 2);
    expect(all[2300]).toBeCloseTo(0, 2);
    expect(all[2500]).toBeCloseTo(0.5, 2);
    expect(all[4000]).toBeCloseTo(0.5, 4);
    expect(r.delaySamples).toBeGreaterThan(0);
  });

  it('reset() starts a new stream with identical output', () => {
    const r = new Resampler({ inputRate: 16000, outputRate: 24000 });
    const input = tone(16000, 440, 0.05);
    const first = r.process(input);
    r.reset();
    expect(r.process(input)).toEqual(first);
  });

  it('treats NaN as silence and ±Infinity as full scale instead of poisoning the stream', () => {
    const r = new Resampler({ inputRate: 16000, outputRate: 8000 });
    const input = tone(16000, 300, 0.1);
    input[100] = Number.NaN;
    input[200] = Number.POSITIVE_INFINITY;
    const out = r.process(input);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
    const same = new Resampler({ inputRate: 16000, outputRate: 8000 });
    const clean = tone(16000, 300, 0.1);
    clean[100] = 0;
    clean[200] = 1;
    expect(out).toEqual(same.process(clean));
  });

  it('passes equal rates through unchanged', () => {
    const r = new Resampler({ inputRate: 16000, outputRate: 16000 });
    const input = new Int16Array([1, -2, 3]);
    expect(Array.from(r.process(input))).toEqual([1, -2, 3]);
    expect(r.flush().length).toBe(0);
    expect(r.delaySamples).toBe(0);
  });

  it('rejects invalid rates, channels, quality and input', () => {
    for (const rate of [0, -8000, Number.NaN, 44100.5, Number.POSITIVE_INFINITY, 1e9]) {
      expect(() => new Resampler({ inputRate: rate, outputRate: 16000 })).toThrow(AudioFormatError);
      expect(() => new Resampler({ inputRate: 16000, outputRate: rate })).toThrow(/outputRate/);
    }
    expect(() => new Resampler({ inputRate: 44100, outputRate: 44101 })).toThrow(/phases/);
    expect(() => new Resampler({ inputRate: 8000, outputRate: 16000, channels: 0 })).toThrow(
      AudioFormatError,
    );
    expect(
      () => new Resampler({ inputRate: 8000, outputRate: 16000, quality: 'best' as unknown as 'high' }),
    ).toThrow(AudioFormatError);
    const r = new Resampler({ inputRate: 8000, outputRate: 16000, channels: 2 });
    expect(() => r.process(new Int16Array(3))).toThrow(/whole number of 2-channel frames/);
    expect(() => r.process(new Uint8Array(4) as unknown as Int16Array)).toThrow(
      /expects Int16Array or Float32Array/,
    );
  });
});
