import { describe, expect, it } from 'vitest';
import { AudioFormatError, floatToInt16, int16ToFloat } from '../src/index.js';

describe('PCM conversion', () => {
  it('round-trips every Int16 value exactly through Float32', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i - 32768;
    expect(floatToInt16(int16ToFloat(all))).toEqual(all);
  });

  it('clips out-of-range floats and maps NaN to zero', () => {
    const out = floatToInt16(new Float32Array([2, -2, 1, -1, Number.NaN, 0.5]));
    expect(Array.from(out)).toEqual([32767, -32768, 32767, -32768, 0, 16384]);
  });

  it('writes into a caller buffer and rejects one that is too small', () => {
    const buf = new Int16Array(8);
    const res = floatToInt16(new Float32Array([0.25, -0.25]), buf);
    expect(res.buffer).toBe(buf.buffer);
    expect(Array.from(res)).toEqual([8192, -8192]);
    expect(() => floatToInt16(new Float32Array(9), buf)).toThrow(AudioFormatError);
  });
});

describe('TPDF dither', () => {
  it('keeps the mean of a sub-LSB DC level instead of rounding it away', () => {
    const n = 20000;
    const input = new Float32Array(n).fill(0.3 / 32768);
    const plain = floatToInt16(input);
    const dithered = floatToInt16(input, undefined, { dither: 'tpdf' });
    expect(plain.every((v) => v === 0)).toBe(true);
    const mean = dithered.reduce((a, v) => a + v, 0) / n;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.4);
    expect(Math.max(...dithered)).toBeLessThanOrEqual(2);
    expect(floatToInt16(new Float32Array([Number.NaN, 1, -1]), undefined, { dither: 'tpdf' })[0]).toBe(0);
  });
});
