import { describe, expect, it } from 'vitest';
import {
  AudioRing,
  ELEMENT_TYPE_CODES,
  RING_LAYOUT,
  RingBuffer,
  type RingElementArray,
  type RingElementType,
} from '../src/index.js';

/**
 * Plays the native side of the contract: a producer that only knows the README's byte offsets and writes
 * through a little-endian DataView, as the wasapi addon's C++ does with raw pointers.
 */
function nativePush(sab: SharedArrayBuffer, samples: number[]): void {
  const dv = new DataView(sab);
  const cap = dv.getUint32(8, true);
  const size = dv.getUint32(16, true);
  const header = new Int32Array(sab, 0, 64);
  const write = Atomics.load(header, 64 / 4) >>> 0;
  const read = Atomics.load(header, 128 / 4) >>> 0;
  const free = cap - ((write - read) >>> 0);
  const n = Math.min(free, samples.length);
  for (let i = 0; i < n; i++) dv.setInt16(256 + ((write + i) & (cap - 1)) * size, samples[i], true);
  Atomics.store(header, 64 / 4, (write + n) | 0);
}

describe('shared-memory layout v1', () => {
  it('writes the documented header at the documented byte offsets', () => {
    const ring = AudioRing.create({ sampleRate: 48_000, channels: 2, frames: 1000, Type: Int16Array });
    const sab = ring.sab as SharedArrayBuffer;
    const dv = new DataView(sab);
    expect(dv.getUint32(0, true)).toBe(0x56585242);
    expect(new TextDecoder().decode(new Uint8Array(sab, 0, 4))).toBe('BRXV');
    expect(dv.getUint32(4, true)).toBe(1);
    expect(dv.getUint32(8, true)).toBe(2048);
    expect(dv.getUint32(12, true)).toBe(1);
    expect(dv.getUint32(16, true)).toBe(2);
    expect(dv.getUint32(20, true)).toBe(2);
    expect(dv.getUint32(24, true)).toBe(48_000);
    expect(dv.getUint32(28, true)).toBe(0);
    for (let off = 192; off < 256; off += 4) expect(dv.getUint32(off, true)).toBe(0);
    expect(sab.byteLength).toBeGreaterThanOrEqual(256 + 2048 * 2);
    expect(RING_LAYOUT.OFFSET.STORAGE % 8).toBe(0);
  });

  it('uses the documented type codes and element sizes', () => {
    const expected = [
      [Int8Array, 6],
      [Float64Array, 5],
      [Uint32Array, 8],
    ] as unknown as [RingElementType<RingElementArray>, number][];
    for (const [Type, code] of expected) {
      const dv = new DataView(RingBuffer.create(4, Type).sab);
      expect(dv.getUint32(12, true)).toBe(code);
      expect(dv.getUint32(16, true)).toBe(Type.BYTES_PER_ELEMENT);
    }
    expect(ELEMENT_TYPE_CODES).toEqual({
      Int16Array: 1,
      Float32Array: 2,
      Int32Array: 3,
      Uint8Array: 4,
      Float64Array: 5,
      Int8Array: 6,
      Uint16Array: 7,
      Uint32Array: 8,
    });
  });

  it('a producer that follows the byte contract feeds the JS consumer, across the storage wrap', () => {
    const ring = RingBuffer.create(8, Int16Array, { producerScratch: 0 });
    const sab = ring.sab as SharedArrayBuffer;
    expect(sab.byteLength).toBe(256 + 8 * 2);
    nativePush(sab, [1, 2, 3, 4, 5, 6]);
    const dst = new Int16Array(6);
    expect(ring.pop(dst)).toBe(6);
    expect(Array.from(dst)).toEqual([1, 2, 3, 4, 5, 6]);
    nativePush(sab, [-7, 8, -9, 10, 11]);
    expect(ring.pop(dst, 0, 5)).toBe(5);
    expect(Array.from(dst.subarray(0, 5))).toEqual([-7, 8, -9, 10, 11]);
    // The consumer's read index is where the contract says.
    expect(new DataView(sab).getUint32(128, true)).toBe(11);
  });

  it('keeps producer and consumer words on separate 64-byte lines', () => {
    const { WRITE_INDEX, OVERRUNS, WRITE_WRAPS, READ_INDEX, UNDERRUNS, READ_WRAPS } = RING_LAYOUT.OFFSET;
    const line = (o: number) => Math.floor(o / 64);
    expect(new Set([WRITE_INDEX, OVERRUNS, WRITE_WRAPS].map(line))).toEqual(new Set([1]));
    expect(new Set([READ_INDEX, UNDERRUNS, READ_WRAPS].map(line))).toEqual(new Set([2]));
  });
});
