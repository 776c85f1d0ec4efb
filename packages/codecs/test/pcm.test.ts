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
