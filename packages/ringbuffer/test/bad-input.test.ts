import { describe, expect, it } from 'vitest';
import { AudioRing, RingBuffer, RingBufferError, type RingElementType } from '../src/index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RingBufferError);
    return (e as RingBufferError).code;
  }
  throw new Error('expected a RingBufferError');
}

describe('bad input', () => {
  it('refuses memory that is not a ring, too small, or has the wrong header', () => {
    expect(code(() => new RingBuffer({} as SharedArrayBuffer))).toBe('BAD_BUFFER');
    expect(code(() => new RingBuffer(new SharedArrayBuffer(100)))).toBe('BAD_BUFFER');
    expect(code(() => new RingBuffer(new SharedArrayBuffer(1024)))).toBe('BAD_MAGIC');

    const good = RingBuffer.create(64, Int16Array);
    const bytes = new Uint8Array(good.sab);
    const copy = () => {
      const sab = new SharedArrayBuffer(good.sab.byteLength);
      new Uint8Array(sab).set(bytes);
      return { sab, dv: new DataView(sab) };
    };
    const v2 = copy();
    v2.dv.setUint32(4, 2, true);
    expect(() => new RingBuffer(v2.sab, Int16Array)).toThrow(/version 2 is not supported/);

    const cap = copy();
    cap.dv.setUint32(8, 100, true);
    expect(code(() => new RingBuffer(cap.sab, Int16Array))).toBe('BAD_CAPACITY');

    const size = copy();
    size.dv.setUint32(16, 4, true);
    expect(code(() => new RingBuffer(size.sab, Int16Array))).toBe('TYPE_MISMATCH');

    const truncated = new SharedArrayBuffer(256 + 63 * 2);
    new Uint8Array(truncated).set(bytes.subarray(0, truncated.byteLength));
    expect(() => new RingBuffer(truncated, Int16Array)).toThrow(/needs 384/);

    const corrupt = copy();
    corrupt.dv.setUint32(64, 1000, true);
    expect(code(() => new RingBuffer(corrupt.sab, Int16Array))).toBe('CORRUPT');
  });

  it('refuses a wrong element type at attach and at call', () => {
    const ring = RingBuffer.create(16, Int16Array);
    expect(() => new RingBuffer(ring.sab, Float32Array)).toThrow(
      /holds Int16Array .* attached as Float32Array/,
    );
    expect(
      code(() => RingBuffer.create(8, Uint8ClampedArray as unknown as RingElementType<Uint8Array>)),
    ).toBe('TYPE_MISMATCH');
    const asAny = ring as unknown as RingBuffer<Float32Array>;
    expect(() => asAny.push(new Float32Array(4))).toThrow(/holds Int16Array; got Float32Array/);
    expect(code(() => asAny.pop(new Float32Array(4)))).toBe('TYPE_MISMATCH');
    expect(code(() => ring.push([1, 2] as unknown as Int16Array))).toBe('TYPE_MISMATCH');
    expect(ring.availableRead()).toBe(0);
  });

  it('refuses negative, fractional and out-of-range lengths without touching the indices', () => {
    const ring = RingBuffer.create(16, Float32Array);
    ring.push(new Float32Array([1, 2, 3]));
    const buf = new Float32Array(8);
    const calls: (() => unknown)[] = [
      () => ring.push(buf, -1),
      () => ring.push(buf, 0.5),
      () => ring.push(buf, 0, -2),
      () => ring.push(buf, 0, 2.5),
      () => ring.push(buf, 4, 5),
      () => ring.push(buf, 9),
      () => ring.push(buf, Number.NaN),
      () => ring.push(buf, '1' as unknown as number),
      () => ring.pop(buf, -1),
      () => ring.pop(buf, 0, 1.5),
      () => ring.pop(buf, 2, 7),
      () => ring.peek(buf, 0, 9),
      () => ring.skip(-1),
      () => ring.skip(0.5),
      () => ring.writeWith(() => 0, -3),
      () => ring.readWith(() => 0, 1.5),
    ];
    for (const call of calls) expect(code(call)).toBe('INVALID_ARGUMENT');
    expect(ring.availableRead()).toBe(3);
    expect(ring.totalWritten).toBe(3);
    expect(ring.totalRead).toBe(0);
    expect(ring.overruns + ring.underruns).toBe(0);
  });

  it('refuses bad capacities and bad waits', async () => {
    for (const bad of [0, -8, 1.5, Number.NaN, 2 ** 31])
      expect(code(() => RingBuffer.create(bad))).toBe('BAD_CAPACITY');
    const ring = RingBuffer.create(8);
    await expect(ring.waitForRead(9, 10)).rejects.toThrow(/\[0, 8\]/);
    await expect(ring.waitForRead(1, -1)).rejects.toThrow(RingBufferError);
    await expect(ring.waitForRead(1, Number.NaN)).rejects.toThrow(/timeoutMs/);
  });

  it('AudioRing refuses partial frames, bad formats and plain rings', () => {
    const audio = AudioRing.create({ sampleRate: 16_000, channels: 2, frames: 8, Type: Int16Array });
    expect(code(() => audio.pushFrames(new Int16Array(3)))).toBe('INVALID_ARGUMENT');
    expect(code(() => audio.pushFrames(new Int16Array(4), 1, 2))).toBe('INVALID_ARGUMENT');
    expect(code(() => audio.popFrames(new Int16Array(4), -1))).toBe('INVALID_ARGUMENT');
    expect(code(() => AudioRing.create({ sampleRate: 0, frames: 8 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => AudioRing.create({ sampleRate: 8000, channels: 0, frames: 8 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => AudioRing.create({ sampleRate: 44_100.5, frames: 8 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => new AudioRing(RingBuffer.create(8).sab))).toBe('INVALID_ARGUMENT');
    expect(audio.framesAvailable()).toBe(0);
  });
});
