import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../src/index.js';

interface ProducerResult {
  shortPushes: number;
  overruns: number;
  totalWritten: number;
}

function startProducer(sab: SharedArrayBuffer, total: number, seed: number, notify: boolean) {
  const worker = new Worker(new URL('./fixtures/run-ts.mjs', import.meta.url), {
    workerData: {
      entry: new URL('./fixtures/producer.worker.ts', import.meta.url).href,
      sab,
      total,
      seed,
      maxChunk: 1500,
      notify,
    },
  });
  const failure: { error?: unknown } = {};
  const done = new Promise<ProducerResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', (e) => {
      failure.error = e;
      reject(e);
    });
    worker.once('exit', (code) => {
      failure.error ??= new Error(`producer exited with ${code} before reporting`);
      reject(failure.error);
    });
  });
  // The consumer checks this so a producer that dies does not leave it waiting for data forever.
  done.catch(() => {});
  return { worker, done, failure };
}

/**
 * Pops random-sized chunks and checks every value is the next of the sequence: none lost, duplicated or
 * reordered. `stallEvery` makes the consumer sleep now and then so the producer hits a full ring.
 */
async function consume(
  ring: RingBuffer<Int32Array>,
  total: number,
  seed: number,
  stallEvery: number,
  failure: { error?: unknown },
) {
  const dst = new Int32Array(2048);
  let rng = seed;
  let expected = 0;
  let nextStall = stallEvery;
  let stalls = 0;
  while (expected < total) {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    const k = ring.pop(dst, 0, 1 + ((rng >>> 8) % 2048));
    for (let i = 0; i < k; i++) {
      if (dst[i] !== expected + i) {
        throw new Error(`at sample ${expected + i}: got ${dst[i]}`);
      }
    }
    expected += k;
    if (expected >= nextStall) {
      nextStall += stallEvery;
      stalls++;
      await new Promise((r) => setTimeout(r, 20));
    } else if (k === 0) {
      if (failure.error) throw failure.error;
      await ring.waitForRead(1, 50);
    }
  }
  return { received: expected, stalls };
}

// Generous timeout: the whole workspace's tests share two cores in CI.
describe('two threads', { timeout: 180_000 }, () => {
  it('moves 20 M samples in order with random chunk sizes, across the 2^32 index wrap', async () => {
    const total = 20_000_000;
    const ring = RingBuffer.create(4096, Int32Array);
    // Start both indices 10 M elements before the uint32 wrap, as a ring up for a day would be.
    const header = new Int32Array(ring.sab, 0, 64);
    header[16] = -10_000_000;
    header[32] = -10_000_000;
    const { worker, done, failure } = startProducer(ring.sab as SharedArrayBuffer, total, 0x9e3779b9, true);
    try {
      const got = await consume(ring, total, 7, Number.POSITIVE_INFINITY, failure);
      const producer = await done;
      expect(got.received).toBe(total);
      expect(ring.availableRead()).toBe(0);
      expect(ring.overruns).toBe(producer.shortPushes);
      expect(ring.totalRead).toBe(2 ** 32 - 10_000_000 + total);
      expect(producer.totalWritten).toBe(ring.totalRead);
    } finally {
      await worker.terminate();
    }
  });

  it('loses nothing when the consumer stalls and the producer finds the ring full', async () => {
    const total = 6_000_000;
    const ring = RingBuffer.create(8192, Int32Array);
    // No notify: the consumer's waitForRead finds the data by polling, as with a native producer.
    const { worker, done, failure } = startProducer(ring.sab as SharedArrayBuffer, total, 0x1234567, false);
    try {
      const got = await consume(ring, total, 99, 500_000, failure);
      const producer = await done;
      expect(got.received).toBe(total);
      expect(got.stalls).toBeGreaterThanOrEqual(11);
      expect(producer.shortPushes).toBeGreaterThan(0);
      expect(ring.overruns).toBe(producer.shortPushes);
      expect(ring.totalWritten).toBe(total);
    } finally {
      await worker.terminate();
    }
  });
});
