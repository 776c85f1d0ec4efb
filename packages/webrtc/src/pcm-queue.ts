import { WebRtcError } from './errors.js';

/**
 * A FIFO of Int16 PCM samples on a circular buffer that doubles when full, up to a hard limit. Reads copy
 * into a caller's buffer, so the steady state allocates nothing.
 */
export class PcmQueue {
  private buf: Int16Array;
  private head = 0;
  private size = 0;
  private readonly maxSamples: number;

  /**
   * @param maxSamples - most samples the queue may hold; `push` beyond it throws `QUEUE_FULL`
   * @param initialSamples - starting capacity
   */
  constructor(maxSamples: number, initialSamples = 4800) {
    this.maxSamples = maxSamples;
    this.buf = new Int16Array(Math.min(initialSamples, maxSamples));
  }

  /** Samples waiting to be read. */
  get length(): number {
    return this.size;
  }

  /** Samples that can still be pushed before the limit. */
  get free(): number {
    return this.maxSamples - this.size;
  }

  /**
   * Appends samples.
   * @throws WebRtcError `QUEUE_FULL` when the queue would exceed its limit; nothing is appended then
   */
  push(samples: Int16Array): void {
    const n = samples.length;
    if (n === 0) return;
    if (this.size + n > this.maxSamples) {
      throw new WebRtcError(
        'QUEUE_FULL',
        `audio queue holds ${this.size} samples; ${n} more would exceed its limit of ${this.maxSamples}`,
      );
    }
    if (this.size + n > this.buf.length) this.grow(this.size + n);
    const cap = this.buf.length;
    const tail = (this.head + this.size) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(first === n ? samples : samples.subarray(0, first), tail);
    if (first < n) this.buf.set(samples.subarray(first), 0);
    this.size += n;
  }

  /**
   * Moves up to `out.length` samples into `out` and returns how many were moved.
   */
  read(out: Int16Array): number {
    const n = Math.min(out.length, this.size);
    const cap = this.buf.length;
    const first = Math.min(n, cap - this.head);
    out.set(this.buf.subarray(this.head, this.head + first), 0);
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % cap;
    this.size -= n;
    return n;
  }

  /** Drops up to `count` of the oldest samples; returns how many were dropped. */
  skip(count: number): number {
    const n = Math.min(count, this.size);
    if (n > 0) {
      this.head = (this.head + n) % this.buf.length;
      this.size -= n;
    }
    return n;
  }

  /** Drops everything queued and returns how many samples were dropped. */
  clear(): number {
    const n = this.size;
    this.head = 0;
    this.size = 0;
    return n;
  }

  private grow(needed: number): void {
    let cap = this.buf.length * 2;
    while (cap < needed) cap *= 2;
    cap = Math.min(cap, this.maxSamples);
    const next = new Int16Array(cap);
    const n = this.size;
    const first = Math.min(n, this.buf.length - this.head);
    next.set(this.buf.subarray(this.head, this.head + first), 0);
    if (first < n) next.set(this.buf.subarray(0, n - first), first);
    this.buf = next;
    this.head = 0;
  }
}
