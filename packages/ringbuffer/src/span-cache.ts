import type { RingElementArray } from './element-types.js';

const HASH_BITS = 8;
/** Rings up to this capacity keep one cached view per start slot; larger ones share a hashed table. */
const PER_SLOT_LIMIT = 16_384;

/**
 * Reusable views `storage.subarray(start, start + length)`. `subarray` allocates a new typed-array object
 * on every call, which on a 128-sample copy costs more than the copy; a ring used with steady chunk sizes
 * touches only a few (start, length) pairs, so caching them makes pop/peek/readWith allocation-free after
 * warm-up. Small rings cache by start slot (one lookup); large rings use a direct-mapped hash of
 * (start, length). A miss just replaces the entry.
 */
export class SpanCache<T extends RingElementArray> {
  private readonly perSlot: boolean;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly views: (T | undefined)[];

  constructor(
    private readonly storage: T,
    capacity: number,
  ) {
    this.perSlot = capacity <= PER_SLOT_LIMIT;
    const size = this.perSlot ? capacity : 1 << HASH_BITS;
    this.starts = new Int32Array(this.perSlot ? 0 : size).fill(-1);
    this.lengths = new Int32Array(this.perSlot ? 0 : size);
    this.views = new Array<T | undefined>(size).fill(undefined);
  }

  /** The view of `length` elements from `start`; start/length must be within the storage. */
  get(start: number, length: number): T {
    // The hit path of a small ring, kept tiny so V8 inlines it into pop and the caller's loop.
    if (this.perSlot) {
      const v = this.views[start];
      if (v !== undefined && v.length === length) return v;
    }
    return this.lookup(start, length);
  }

  /** A small ring's miss, or any lookup in a large ring's hashed table. */
  private lookup(start: number, length: number): T {
    if (this.perSlot) {
      const view = this.storage.subarray(start, start + length) as T;
      this.views[start] = view;
      return view;
    }
    const h = (Math.imul(start, 0x9e3779b1) ^ Math.imul(length, 0x85ebca6b)) >>> (32 - HASH_BITS);
    if (this.starts[h] === start && this.lengths[h] === length) return this.views[h] as T;
    const view = this.storage.subarray(start, start + length) as T;
    this.starts[h] = start;
    this.lengths[h] = length;
    this.views[h] = view;
    return view;
  }
}
