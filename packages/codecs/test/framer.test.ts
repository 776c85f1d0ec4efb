import { describe, expect, it } from 'vitest';
import { AudioFormatError, Framer, mulaw } from '../src/index.js';

function chunked<T extends Int16Array | Uint8Array>(data: T, sizes: number[]): T[] {
  const out: T[] = [];
  let pos = 0;
  for (let i = 0; pos < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(data.subarray(pos, pos + n) as T);
    pos += n;
  }
  return out;
}

describe('Framer', () => {
  const data = Int16Array.from({ length: 1000 }, (_, i) => i - 500);

  it('produces the same frames however the input is chunked, carrying the remainder', () => {
    const reference = new Framer({ frameSize: 160 }).push(data);
    expect(reference.length).toBe(6);
    for (const sizes of [[1], [7, 0, 300], [159, 161], [1000]]) {
      const framer = new Framer({ frameSize: 160 });
      const frames = chunked(data, sizes).flatMap((c) => framer.push(c));
      expect(frames.map((f) => Array.from(f))).toEqual(reference.map((f) => Array.from(f)));
      expect(framer.pending).toBe(40);
      const [last] = framer.flush();
      expect(Array.from(last)).toEqual(Array.from(data.subarray(960)));
    }
  });

  it('returns frames that stay valid after later pushes', () => {
    const framer = new Framer({ frameSize: 4 });
    const [a] = framer.push(new Int16Array([1, 2, 3, 4]));
    framer.push(new Int16Array([9, 9, 9, 9, 9, 9]));
    expect(Array.from(a)).toEqual([1, 2, 3, 4]);
  });

  it('hands views to a callback without returning arrays', () => {
    const framer = new Framer({ frameSize: 3 });
    const seen: number[][] = [];
    const ret = framer.push(new Int16Array([1, 2]), (f) => seen.push(Array.from(f)));
    framer.push(new Int16Array([3, 4, 5, 6, 7]), (f) => seen.push(Array.from(f)));
    expect(ret).toEqual([]);
    expect(seen).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('pads the last mu-law frame with 0xFF, which decodes to true silence', () => {
    const framer = new Framer({ frameSize: 160, encoding: 'mulaw', padLastFrame: true });
    const codes = mulaw.encode(data.subarray(0, 200));
    expect(framer.push(codes)).toHaveLength(1);
    const [last] = framer.flush();
    expect(last).toBeInstanceOf(Uint8Array);
    expect(last.length).toBe(160);
    expect(Array.from(last.subarray(0, 40))).toEqual(Array.from(codes.subarray(160)));
    expect(last.subarray(40).every((c) => c === 0xff)).toBe(true);
    expect(Array.from(mulaw.decode(last.subarray(40))).every((v) => v === 0)).toBe(true);
    expect(framer.flush()).toEqual([]);
  });

  it('pads A-law with 0xD5 and PCM with 0, counts stereo frames in sample frames', () => {
    const a = new Framer({ frameSize: 4, encoding: 'alaw', padLastFrame: true });
    a.push(new Uint8Array([1]));
    expect(Array.from(a.flush()[0])).toEqual([1, 0xd5, 0xd5, 0xd5]);
    const s = new Framer({ frameSize: 2, channels: 2, padLastFrame: true });
    expect(s.push(new Int16Array([1, -1, 2, -2, 3, -3]))).toHaveLength(1);
    expect(Array.from(s.flush()[0])).toEqual([3, -3, 0, 0]);
  });

  it('rejects bad sizes and mismatched array types', () => {
    expect(() => new Framer({ frameSize: 0 })).toThrow(AudioFormatError);
    expect(() => new Framer({ frameSize: 1.5 })).toThrow(AudioFormatError);
    expect(() => new Framer({ frameSize: Number.NaN })).toThrow(AudioFormatError);
    expect(() => new Framer({ frameSize: 2, channels: -1 })).toThrow(AudioFormatError);
    const f = new Framer({ frameSize: 2, encoding: 'mulaw' });
    expect(() => f.push(new Int16Array(2) as unknown as Uint8Array)).toThrow(
      /expects Uint8Array, got Int16Array/,
    );
  });
});
