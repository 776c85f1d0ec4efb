import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../src/index.js';

describe('waitForRead', () => {
  it('resolves true at once when enough is there, false after the timeout when not', async () => {
    const ring = RingBuffer.create(16, Int16Array);
    ring.push(new Int16Array(4));
    expect(await ring.waitForRead(4, 0)).toBe(true);
    expect(await ring.waitForRead(5, 20)).toBe(false);
    expect(await ring.waitForRead(0)).toBe(true);
  });

  it('wakes when a producer pushes later, with notify and by polling', async () => {
    for (const notifyOnPush of [true, false]) {
      const ring = RingBuffer.create(16, Int16Array, { notifyOnPush });
      const producer = new RingBuffer(ring.sab, Int16Array, { notifyOnPush });
      setTimeout(() => producer.push(new Int16Array([1, 2])), 5);
      setTimeout(() => producer.push(new Int16Array([3, 4, 5])), 15);
      expect(await ring.waitForRead(5, 10_000)).toBe(true);
      const dst = new Int16Array(5);
      ring.pop(dst);
      expect(Array.from(dst)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('works on a non-shared ArrayBuffer by polling', async () => {
    const shared = RingBuffer.create(8, Float32Array);
    const plain = new ArrayBuffer(shared.sab.byteLength);
    new Uint8Array(plain).set(new Uint8Array(shared.sab));
    const ring = new RingBuffer(plain, Float32Array);
    setTimeout(() => ring.push(new Float32Array([0.5])), 5);
    expect(await ring.waitForRead(1, 10_000)).toBe(true);
    expect(ring.notifyReaders()).toBe(0);
  });
});
