import type { RingElementArray } from './element-types.js';

const BITS = 8;
const SIZE = 1 << BITS;

/**
 * Reusable views `storage.subarray(start, start + length)`. `subarray` allocates a new typed-array object
 * on every call, which on a 128-sample copy costs more than the copy; a ring used with steady chunk sizes
 * touches only a few (start, length) pairs, so a small direct-mapped cache makes pop/peek/readWith
 * allocation-free after warm-up. A collision just replaces the entry.
 */
export class SpanCache<T extends RingElementArray> {
  private readonly starts = new Int32Array(SIZE).fill(-1);
  private readonly lengths = new Int32Array(SIZE);
  private readonly views: (T | undefined)[] = new Array<T | undefined>(SIZE).fill(undefined);

  constructor(private readonly storage: T) {}

  /** The view of `length` elements from `start`; start/length must be within the storage. */
  get(start: number, length: number): T {
    const h = (Math.imul(start, 0x9e3779b1) ^ Math.imul(length, 0x85ebca6b)) >>> (32 - BITS);
    if (this.starts[h] === start && this.lengths[h] === length) return this.views[h] as T;
    const view = this.storage.subarray(start, start + length) as T;
    this.starts[h] = start;
    this.lengths[h] = length;
    this.views[h] = view;
    return view;
  }
}
