import { describe, expect, it } from 'vitest';
import { RingBuffer, RingBufferError, type RingElementArray, type RingElementType } from '../src/index.js';

/** A sequence that distinguishes every position, in range for every element type. */
function seq<T extends RingElementArray>(Type: RingElementType<T>, n: number, start: number): T {
  const a = new Type(new ArrayBuffer(n * Type.BYTES_PER_ELEMENT), 0, n);
  for (let i = 0; i < n; i++) a[i] = (start + i) % 100;
  return a;
}

const types = [
  Int16Array,
  Float32Array,
  Float64Array,
  Uint8Array,
] as unknown as RingElementType<RingElementArray>[];

describe('RingBuffer', () => {
  it('rounds capacity up to a power of two and reports it', () => {
    expect(RingBuffer.create(1000).capacity).toBe(1024);
    expect(RingBuffer.create(1024).capacity).toBe(1024);
    expect(RingBuffer.create(1).capacity).toBe(1);
    const r = RingBuffer.create(5, Int16Array);
    expect(r.capacity).toBe(8);
    expect(r.availableWrite()).toBe(8);
    expect(r.availableRead()).toBe(0);
  });

  for (const scratch of [undefined, 0]) {
    for (const Type of types) {
      it(`${Type.name} (scratch ${scratch ?? 'default'}): push/pop every length at every start offset`, () => {
        const cap = 16;
        for (let start = 0; start < cap; start++) {
          for (let n = 0; n <= cap; n++) {
            const ring = RingBuffer.create(cap, Type, {
              producerScratch: scratch,
            });
            const pad = seq(Type, start, 0);
            expect(ring.push(pad)).toBe(start);
            expect(ring.pop(new Type(new ArrayBuffer(start * Type.BYTES_PER_ELEMENT), 0, start))).toBe(start);
            const src = seq(Type, n, start + 7);
            expect(ring.push(src)).toBe(n);
            expect(ring.availableRead()).toBe(n);
            expect(ring.availableWrite()).toBe(cap - n);
            const peeked = new Type(new ArrayBuffer(n * Type.BYTES_PER_ELEMENT), 0, n);
            expect(ring.peek(peeked)).toBe(n);
            expect(Array.from(peeked)).toEqual(Array.from(src));
            const out = new Type(new ArrayBuffer((n + 3) * Type.BYTES_PER_ELEMENT), 0, n + 3);
            expect(ring.pop(out, 2, n)).toBe(n);
            expect(Array.from(out.subarray(2, 2 + n))).toEqual(Array.from(src));
            expect(out[0]).toBe(0);
            expect(out[n + 2]).toBe(0);
            expect(ring.availableRead()).toBe(0);
          }
        }
      });

      it(`${Type.name} (scratch ${scratch ?? 'default'}): partial spans of a larger source at every start`, () => {
        const cap = 16;
        for (let start = 0; start < cap; start++) {
          const ring = RingBuffer.create(cap, Type, {
            producerScratch: scratch,
          });
          ring.push(seq(Type, start, 0));
          ring.skip(start);
          const src = seq(Type, 12, 40);
          expect(ring.push(src, 3, 7)).toBe(7);
          expect(ring.push(src, 10)).toBe(2);
          const out = new Type(new ArrayBuffer(9 * Type.BYTES_PER_ELEMENT), 0, 9);
          expect(ring.pop(out)).toBe(9);
          expect(Array.from(out)).toEqual([
            ...Array.from(src.subarray(3, 10)),
            ...Array.from(src.subarray(10)),
          ]);
        }
      });
    }
  }

  it('keeps FIFO order through many wraps with random chunk sizes on one thread', () => {
    const ring = RingBuffer.create(64, Int32Array);
    let rng = 12345;
    const rand = (m: number) => {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      return (rng >>> 8) % m;
    };
    const src = new Int32Array(100);
    const dst = new Int32Array(100);
    let next = 0;
    let expected = 0;
    let mismatches = 0;
    for (let step = 0; step < 20_000; step++) {
      const n = rand(80);
      for (let i = 0; i < n; i++) src[i] = next + i;
      next += ring.push(src, 0, n);
      const k = ring.pop(dst, 0, rand(80));
      for (let i = 0; i < k; i++) if (dst[i] !== expected + i) mismatches++;
      expected += k;
    }
    expect(mismatches).toBe(0);
    expect(expected).toBeGreaterThan(500_000);
    expect(ring.totalWritten).toBe(next);
    expect(ring.totalRead).toBe(expected);
  });

  it('keeps FIFO order in a large ring (hashed view cache) with uneven chunks across wraps', () => {
    const ring = RingBuffer.create(40_000, Float32Array);
    expect(ring.capacity).toBe(65_536);
    const src = new Float32Array(7000);
    const dst = new Float32Array(7000);
    let next = 0;
    let expected = 0;
    let mismatches = 0;
    for (let step = 0; step < 200; step++) {
      const n = 1000 + (((step * 2654435761) >>> 0) % 6000);
      for (let i = 0; i < n; i++) src[i] = next + i;
      next += ring.push(src, 0, n);
      const k = ring.pop(dst, 0, n);
      for (let i = 0; i < k; i++) if (dst[i] !== expected + i) mismatches++;
      expected += k;
    }
    expect(mismatches).toBe(0);
    expect(expected).toBeGreaterThan(3 * 65_536);
  });

  it('full and empty edges: short push counts one overrun, short pop one underrun', () => {
    const ring = RingBuffer.create(8, Float32Array);
    const src = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ring.push(src)).toBe(8);
    expect(ring.overruns).toBe(1);
    expect(ring.availableWrite()).toBe(0);
    expect(ring.push(src, 8)).toBe(0);
    expect(ring.overruns).toBe(2);
    const dst = new Float32Array(10);
    expect(ring.pop(dst)).toBe(8);
    expect(Array.from(dst.subarray(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ring.underruns).toBe(1);
    expect(ring.pop(dst, 0, 1)).toBe(0);
    expect(ring.underruns).toBe(2);
    expect(ring.totalWritten).toBe(8);
    expect(ring.totalRead).toBe(8);
  });

  it('zero-length operations change nothing and count nothing', () => {
    const ring = RingBuffer.create(8, Int16Array);
    const empty = new Int16Array(0);
    expect(ring.push(empty)).toBe(0);
    expect(ring.pop(empty)).toBe(0);
    expect(ring.peek(new Int16Array(4), 0, 0)).toBe(0);
    expect(ring.skip(0)).toBe(0);
    expect(ring.clear()).toBe(0);
    ring.push(new Int16Array(8));
    expect(ring.push(new Int16Array(3), 0, 0)).toBe(0);
    expect(ring.overruns).toBe(0);
    expect(ring.underruns).toBe(0);
    expect(ring.totalWritten).toBe(8);
  });

  it('skip and clear drop data from the consumer side', () => {
    const ring = RingBuffer.create(8, Int16Array);
    ring.push(new Int16Array([1, 2, 3, 4, 5]));
    expect(ring.skip(2)).toBe(2);
    const dst = new Int16Array(1);
    ring.pop(dst);
    expect(dst[0]).toBe(3);
    expect(ring.skip(10)).toBe(2);
    expect(ring.underruns).toBe(0);
    ring.push(new Int16Array([9, 9, 9]));
    expect(ring.clear()).toBe(3);
    expect(ring.availableRead()).toBe(0);
    expect(ring.totalRead).toBe(8);
  });

  it('writeWith/readWith hand out one or two regions and publish what the callback returns', () => {
    const ring = RingBuffer.create(8, Int16Array);
    ring.push(new Int16Array(6));
    ring.skip(6);
    // Free region now starts at slot 6: two slots before the end, six after the wrap.
    const sizes: number[][] = [];
    const written = ring.writeWith((a, b) => {
      sizes.push([a.length, b.length]);
      a.set([10, 11]);
      b.set([12, 13, 14]);
      return 5;
    });
    expect(written).toBe(5);
    expect(sizes).toEqual([[2, 6]]);
    const seen: number[] = [];
    const consumed = ring.readWith((a, b) => {
      seen.push(...a, ...b);
      return 4;
    });
    expect(consumed).toBe(4);
    expect(seen).toEqual([10, 11, 12, 13, 14]);
    const rest = new Int16Array(1);
    ring.pop(rest);
    expect(rest[0]).toBe(14);
    // max limits the region; asking for more than there is counts.
    ring.push(new Int16Array([1, 2, 3]));
    expect(ring.readWith((a, b) => a.length + b.length, 2)).toBe(2);
    expect(ring.readWith((a, b) => a.length + b.length, 5)).toBe(1);
    expect(ring.underruns).toBe(1);
    expect(ring.writeWith((a, b) => a.length + b.length, 100)).toBe(8);
    expect(ring.overruns).toBe(1);
    let called = false;
    expect(
      ring.writeWith(() => {
        called = true;
        return 0;
      }),
    ).toBe(0);
    expect(called).toBe(false);
  });

  it('a region callback that throws or returns nonsense publishes nothing', () => {
    const ring = RingBuffer.create(8, Float32Array);
    expect(() =>
      ring.writeWith(() => {
        throw new Error('device gone');
      }),
    ).toThrow('device gone');
    expect(() => ring.writeWith(() => 9)).toThrow(/integer in \[0, 8\]/);
    expect(() => ring.writeWith(() => 1.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => ring.writeWith(() => undefined as unknown as number)).toThrow(/region callback/);
    expect(ring.availableRead()).toBe(0);
    ring.push(new Float32Array([1, 2]));
    expect(() => ring.readWith(() => -1)).toThrow(/region callback/);
    expect(ring.availableRead()).toBe(2);
  });

  it('counts totals exactly across the 2^32 index wrap', () => {
    const ring = RingBuffer.create(16, Int32Array);
    const header = new Int32Array(ring.sab, 0, 64);
    // A ring that has been running for a day: both indices just below 2^32.
    header[16] = -5;
    header[32] = -5;
    const src = Int32Array.from({ length: 12 }, (_, i) => i * 3);
    expect(ring.push(src)).toBe(12);
    expect(header[18]).toBe(1);
    const dst = new Int32Array(12);
    expect(ring.pop(dst)).toBe(12);
    expect(Array.from(dst)).toEqual(Array.from(src));
    expect(header[34]).toBe(1);
    expect(ring.totalWritten).toBe(2 ** 32 + 7);
    expect(ring.totalRead).toBe(2 ** 32 + 7);
  });

  it('attaches a second view to the same memory and sees the same data and counters', () => {
    const producer = RingBuffer.create(32, Int16Array);
    const consumer = new RingBuffer(producer.sab, Int16Array);
    expect(consumer.capacity).toBe(32);
    producer.push(new Int16Array([7, 8, 9]));
    const dst = new Int16Array(4);
    expect(consumer.pop(dst)).toBe(3);
    expect(Array.from(dst)).toEqual([7, 8, 9, 0]);
    expect(producer.underruns).toBe(1);
    expect(producer.availableRead()).toBe(0);
  });
  it('lets the producer and consumer roles move between objects attached to the same memory', () => {
    // Each object caches the other side's index; a stale cache must only ever under-state the room.
    const a = RingBuffer.create(16, Int16Array);
    const b = new RingBuffer(a.sab, Int16Array);
    const c = new RingBuffer(a.sab, Int16Array);
    const d = new RingBuffer(a.sab, Int16Array);
    const seq = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => from + i);
    const out: number[] = [];
    const take = (ring: RingBuffer<Int16Array>, n: number) => {
      const dst = new Int16Array(n);
      const got = ring.pop(dst);
      out.push(...dst.subarray(0, got));
      return got;
    };
    expect(a.push(seq(0, 20))).toBe(16); // full: 16 of 20
    expect(take(c, 6)).toBe(6);
    expect(b.push(seq(16, 10))).toBe(6); // b attached when the ring was empty, yet sees the 6 freed slots
    expect(take(d, 10)).toBe(10);
    expect(a.push(seq(22, 10))).toBe(10); // a's own index moved on through b
    expect(take(c, 16)).toBe(16); // c's own index moved on through d
    expect(take(d, 1)).toBe(0);
    expect(out).toEqual(Array.from(seq(0, 32)));
    expect(a.totalWritten).toBe(32);
    expect(d.totalRead).toBe(32);
  });

  it('detects overwritten indices at push and pop instead of copying garbage', () => {
    const ring = RingBuffer.create(16, Int16Array);
    ring.push(new Int16Array(4));
    const header = new Int32Array(ring.sab, 0, 64);
    header[32] = -100; // read index far behind the write index: "116 elements" in a 16-element ring
    for (const op of [() => ring.push(new Int16Array(16)), () => ring.pop(new Int16Array(8))]) {
      expect(op).toThrow(RingBufferError);
      expect(op).toThrow(/104 elements in a 16-element ring: memory overwritten/);
    }
    expect(header[16]).toBe(4);
    expect(header[32]).toBe(-100);
  });
});
