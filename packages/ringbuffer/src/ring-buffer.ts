import { isIndex } from './checks.js';
import {
  type RingArray,
  type RingElementArray,
  type RingElementType,
  typeCodeOf,
  typeNameOf,
} from './element-types.js';
import { RingBufferError } from './errors.js';
import {
  HEADER_WORDS,
  RING_LAYOUT,
  W_CAPACITY,
  W_CHANNELS,
  W_ELEMENT_SIZE,
  W_MAGIC,
  W_OVERRUNS,
  W_READ,
  W_READ_WRAPS,
  W_SAMPLE_RATE,
  W_TYPE_CODE,
  W_UNDERRUNS,
  W_VERSION,
  W_WRITE,
  W_WRITE_WRAPS,
} from './layout.js';
import { SpanCache } from './span-cache.js';

/** Options of {@link RingBuffer.create}. */
export interface RingBufferCreateOptions {
  /** Interleaved channel count recorded in the header (AudioRing); 0 for a plain ring. */
  channels?: number;
  /** Sample rate recorded in the header (AudioRing); 0 for a plain ring. */
  sampleRate?: number;
  /**
   * Elements of producer-only scratch space allocated after the storage (default `min(capacity, 65536)`).
   * JS producers use it to copy a wrapping or partial push without allocating a view; native code ignores
   * it (the layout allows the buffer to be larger than header + storage). 0 saves memory for huge rings.
   */
  producerScratch?: number;
  /** Wake `waitForRead` callers with `Atomics.notify` after every push (default false; see README). */
  notifyOnPush?: boolean;
}

/** Options of the {@link RingBuffer} constructor when attaching to existing memory. */
export interface RingBufferAttachOptions {
  /** Wake `waitForRead` callers with `Atomics.notify` after every push (default false). */
  notifyOnPush?: boolean;
  /** How often `waitForRead` re-checks when nobody notifies, e.g. a native producer (default 5 ms). */
  pollMs?: number;
}

/**
 * A region callback of {@link RingBuffer.writeWith} / {@link RingBuffer.readWith}: receives the one or two
 * contiguous regions (the second is empty unless the region wraps) and returns how many elements, from the
 * start of `first` and continuing into `second`, it wrote or consumed. The views alias shared memory and are
 * reused: do not keep them after returning.
 */
export type RegionCallback<T extends RingElementArray> = (
  first: RingArray<T>,
  second: RingArray<T>,
) => number;

const TWO_POW_32 = 2 ** 32;
const DEFAULT_SCRATCH_LIMIT = 65_536;

type AtomicsWaitAsync = (
  view: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: AtomicsWaitAsync }).waitAsync;

function badArgument(what: string, v: unknown): RingBufferError {
  return new RingBufferError('INVALID_ARGUMENT', `${what} must be a non-negative integer, got ${String(v)}`);
}

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * Wait-free single-producer/single-consumer ring of typed-array elements over a SharedArrayBuffer, with the
 * byte layout of {@link RING_LAYOUT} so another thread or native code can attach to the same memory.
 *
 * One thread (the producer) calls `push`/`writeWith`; one thread (the consumer) calls
 * `pop`/`peek`/`skip`/`readWith`/`clear`/`waitForRead`. Both may read counters and availability. Nothing
 * blocks and nothing allocates on push/pop after warm-up (views are cached), indices are free-running uint32
 * published with `Atomics.store` after the data is copied, and copies are `TypedArray.set`/`copyWithin` on
 * contiguous spans.
 */
export class RingBuffer<T extends RingElementArray = Float32Array> {
  /** The shared memory: pass it to a worker (`postMessage`) or to native code to attach. */
  readonly sab: SharedArrayBuffer | ArrayBuffer;
  /** The element type this ring holds. */
  readonly Type: RingElementType<T>;
  /** Capacity in elements: always a power of two ({@link RingBuffer.create} rounds up). */
  readonly capacity: number;
  /** Interleaved channels from the header (0 for a plain ring). */
  readonly channels: number;
  /** Sample rate from the header (0 for a plain ring). */
  readonly sampleRate: number;
  /** Whether `push` wakes `waitForRead` callers with `Atomics.notify` (costs ~100 ns per push). */
  notifyOnPush: boolean;
  /** How often `waitForRead` re-checks availability when nobody notifies it, in ms. */
  pollMs: number;

  private readonly ctrl: Int32Array;
  private readonly storage: RingElementArray;
  private readonly mask: number;
  private readonly scratch: number;
  private readonly spans: SpanCache<RingElementArray>;
  private readonly empty: RingElementArray;
  private readonly shared: boolean;
  /**
   * The write index as this object last knew it (its own publication or an `Atomics.load`), and the same for
   * the read index. Indices only move forward, so a stale value under-states what is readable (consumer) or
   * free (producer) and is never unsafe; the hot paths re-load the other side's index only when the cached
   * value is not enough. `Atomics.load` is a builtin call in V8 (~17 ns) where a field read is ~1 ns, and this
   * also keeps each thread off the other's cache line while there is slack.
   */
  private writeSeen: number;
  private readSeen: number;

  /**
   * Allocates a SharedArrayBuffer for a new ring and writes its header.
   * @param capacity - elements the ring must hold; rounded UP to a power of two (see `capacity`)
   * @param Type - element type, default `Float32Array`
   * @throws RingBufferError `BAD_CAPACITY` for a non-integer, < 1 or > 2^30 capacity
   */
  static create(capacity: number): RingBuffer<Float32Array>;
  static create<T extends RingElementArray>(
    capacity: number,
    Type: RingElementType<T>,
    options?: RingBufferCreateOptions,
  ): RingBuffer<T>;
  static create<T extends RingElementArray>(
    capacity: number,
    Type: RingElementType<T> = Float32Array as unknown as RingElementType<T>,
    options: RingBufferCreateOptions = {},
  ): RingBuffer<T> {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > RING_LAYOUT.MAX_CAPACITY) {
      throw new RingBufferError(
        'BAD_CAPACITY',
        `capacity must be an integer in [1, 2^30] elements, got ${String(capacity)}`,
      );
    }
    const code = typeCodeOf(Type as RingElementType<RingElementArray>);
    const cap = nextPowerOfTwo(capacity);
    const channels = options.channels ?? 0;
    const sampleRate = options.sampleRate ?? 0;
    const scratch = options.producerScratch ?? Math.min(cap, DEFAULT_SCRATCH_LIMIT);
    if (!isIndex(channels) || channels > 0xffff) throw badArgument('channels', channels);
    if (!isIndex(sampleRate) || sampleRate > 0x7fffffff) throw badArgument('sampleRate', sampleRate);
    if (!isIndex(scratch)) throw badArgument('producerScratch', scratch);
    const size = Type.BYTES_PER_ELEMENT;
    const sab = new SharedArrayBuffer(RING_LAYOUT.HEADER_BYTES + (cap + scratch) * size);
    const header = new Int32Array(sab, 0, HEADER_WORDS);
    header[W_VERSION] = RING_LAYOUT.VERSION;
    header[W_CAPACITY] = cap;
    header[W_TYPE_CODE] = code;
    header[W_ELEMENT_SIZE] = size;
    header[W_CHANNELS] = channels;
    header[W_SAMPLE_RATE] = sampleRate;
    // The magic goes last (seq-cst store): a thread that sees it sees a complete header.
    Atomics.store(header, W_MAGIC, RING_LAYOUT.MAGIC | 0);
    return new RingBuffer(sab, Type, { notifyOnPush: options.notifyOnPush });
  }

  /** Bytes a ring of `capacity` (rounded up to a power of two) elements of `Type` needs, without scratch. */
  static byteLengthFor(capacity: number, Type: RingElementType<RingElementArray>): number {
    return RING_LAYOUT.HEADER_BYTES + nextPowerOfTwo(capacity) * Type.BYTES_PER_ELEMENT;
  }

  /**
   * Attaches to a ring's memory (made by {@link RingBuffer.create} here, in another thread, or by native code).
   * @param sab - the ring memory
   * @param Type - element type; must match the header (default `Float32Array`)
   * @throws RingBufferError `BAD_BUFFER`, `BAD_MAGIC`, `BAD_VERSION`, `TYPE_MISMATCH`, `BAD_CAPACITY`, `CORRUPT`
   */
  constructor(
    sab: SharedArrayBuffer | ArrayBuffer,
    Type: RingElementType<T> = Float32Array as unknown as RingElementType<T>,
    options: RingBufferAttachOptions = {},
  ) {
    const isShared = typeof SharedArrayBuffer !== 'undefined' && sab instanceof SharedArrayBuffer;
    if (!isShared && !(sab instanceof ArrayBuffer)) {
      throw new RingBufferError('BAD_BUFFER', 'ring memory must be a SharedArrayBuffer (or an ArrayBuffer)');
    }
    if (sab.byteLength < RING_LAYOUT.HEADER_BYTES) {
      throw new RingBufferError(
        'BAD_BUFFER',
        `ring memory is ${sab.byteLength} bytes, smaller than the ${RING_LAYOUT.HEADER_BYTES}-byte header`,
      );
    }
    const code = typeCodeOf(Type as RingElementType<RingElementArray>);
    const ctrl = new Int32Array(sab, 0, HEADER_WORDS);
    const magic = Atomics.load(ctrl, W_MAGIC) >>> 0;
    if (magic !== RING_LAYOUT.MAGIC) {
      throw new RingBufferError(
        'BAD_MAGIC',
        `not a voxwire ring: magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${RING_LAYOUT.MAGIC.toString(16)} ('VXRB')`,
      );
    }
    const version = Atomics.load(ctrl, W_VERSION);
    if (version !== RING_LAYOUT.VERSION) {
      throw new RingBufferError(
        'BAD_VERSION',
        `ring layout version ${version} is not supported (this code reads version ${RING_LAYOUT.VERSION})`,
      );
    }
    const headerCode = Atomics.load(ctrl, W_TYPE_CODE);
    if (headerCode !== code) {
      throw new RingBufferError(
        'TYPE_MISMATCH',
        `ring holds ${typeNameOf(headerCode)} (type code ${headerCode}), attached as ${Type.name} (type code ${code})`,
      );
    }
    const size = Atomics.load(ctrl, W_ELEMENT_SIZE);
    if (size !== Type.BYTES_PER_ELEMENT) {
      throw new RingBufferError(
        'TYPE_MISMATCH',
        `header says ${size}-byte elements but ${Type.name} has ${Type.BYTES_PER_ELEMENT}-byte elements`,
      );
    }
    const cap = Atomics.load(ctrl, W_CAPACITY);
    if (cap < 1 || cap > RING_LAYOUT.MAX_CAPACITY || (cap & (cap - 1)) !== 0) {
      throw new RingBufferError('BAD_CAPACITY', `header capacity ${cap} is not a power of two in [1, 2^30]`);
    }
    const needed = RING_LAYOUT.HEADER_BYTES + cap * size;
    if (sab.byteLength < needed) {
      throw new RingBufferError(
        'BAD_BUFFER',
        `ring memory is ${sab.byteLength} bytes; a ${cap}-element ${Type.name} ring needs ${needed}`,
      );
    }
    const writeIndex = Atomics.load(ctrl, W_WRITE);
    const readIndex = Atomics.load(ctrl, W_READ);
    const avail = (writeIndex - readIndex) | 0;
    if (avail < 0 || avail > cap) {
      throw new RingBufferError('CORRUPT', `ring indices hold ${avail} elements in a ${cap}-element ring`);
    }
    this.writeSeen = writeIndex;
    this.readSeen = readIndex;
    this.sab = sab;
    this.Type = Type;
    this.capacity = cap;
    this.channels = Atomics.load(ctrl, W_CHANNELS);
    this.sampleRate = Atomics.load(ctrl, W_SAMPLE_RATE);
    this.notifyOnPush = options.notifyOnPush ?? false;
    this.pollMs = options.pollMs ?? 5;
    this.ctrl = ctrl;
    this.mask = cap - 1;
    this.scratch = Math.floor((sab.byteLength - RING_LAYOUT.HEADER_BYTES) / size) - cap;
    this.storage = new Type(sab, RING_LAYOUT.HEADER_BYTES, cap + this.scratch);
    this.spans = new SpanCache(this.storage, cap);
    this.empty = this.storage.subarray(0, 0);
    this.shared = isShared;
  }

  /** Elements the consumer can read now. */
  availableRead(): number {
    const w = Atomics.load(this.ctrl, W_WRITE);
    const r = Atomics.load(this.ctrl, W_READ);
    // Fresh acquire loads: the poll-then-pop/push pattern then needs no second load in pop/push.
    this.writeSeen = w;
    this.readSeen = r;
    return (w - r) | 0;
  }

  /** Elements the producer can write now. */
  availableWrite(): number {
    return this.capacity - this.availableRead();
  }

  /**
   * Producer: copies up to `length` elements of `src` from `offset` into the ring.
   * @returns elements written; fewer than asked when the ring is full (counted once in `overruns`), the rest
   * of `src` is untouched so the caller can retry it
   * @throws RingBufferError `TYPE_MISMATCH` for another array type, `INVALID_ARGUMENT` for a bad offset/length
   */
  push(src: RingArray<T>, offset?: number, length?: number): number {
    if (!(src instanceof this.Type)) throw this.typeMismatch(src);
    if (offset === undefined && length === undefined) return this.write(src, 0, src.length, 1);
    return this.write(src, offset ?? 0, this.spanLength(src, offset, length), 1);
  }

  /**
   * Producer: writes whole groups of `granule` elements (AudioRing frames), at most `len`.
   * @internal arguments are validated by the caller
   */
  write(src: RingArray<T>, off: number, len: number, granule: number): number {
    // Kept small so V8 inlines it into push: the wrapping, partial and short cases live in other methods.
    const ctrl = this.ctrl;
    const cap = this.capacity;
    // Own index: only the producer stores it, so a plain load reads exactly what it last published.
    const w = ctrl[W_WRITE] as number;
    let n = len;
    const free = cap - ((w - this.readSeen) | 0);
    if (free < len || free > cap) n = this.fitWrite(w, len, granule);
    if (n <= 0) return 0;
    const slot = w & this.mask;
    if (off === 0 && n === src.length && n <= cap - slot) this.storage.set(src, slot);
    else this.copyIn(src, off, n, slot);
    const next = (w + n) | 0;
    Atomics.store(ctrl, W_WRITE, next);
    this.writeSeen = next;
    if (next >>> 0 < w >>> 0) Atomics.add(ctrl, W_WRITE_WRAPS, 1);
    if (this.notifyOnPush) this.notifyReaders();
    return n;
  }

  /** Producer, when the cached read index shows too little room: re-loads it; counts an overrun if still short. */
  private fitWrite(w: number, len: number, granule: number): number {
    const cap = this.capacity;
    this.readSeen = Atomics.load(this.ctrl, W_READ);
    const free = cap - ((w - this.readSeen) | 0);
    if (free < 0 || free > cap) throw this.corrupt(cap - free);
    if (free >= len) return len;
    Atomics.add(this.ctrl, W_OVERRUNS, 1);
    return granule === 1 ? free : free - (free % granule);
  }

  /** Producer: copies `n` elements of `src` from `off` to `slot`, wrapping at the end of the storage. */
  private copyIn(src: RingArray<T>, off: number, n: number, slot: number): void {
    const storage = this.storage;
    const cap = this.capacity;
    const first = cap - slot;
    if (off === 0 && n === src.length) {
      if (n <= first) {
        storage.set(src, slot);
      } else if (n <= this.scratch) {
        // Copy straight across the end into the producer scratch, then move the overhang to the front.
        storage.set(src, slot);
        storage.copyWithin(0, cap, slot + n);
      } else {
        storage.set(src.subarray(0, first), slot);
        storage.set(src.subarray(first, n), 0);
      }
    } else if (src.length <= this.scratch) {
      // Stage the whole source in the scratch, then move the wanted span in place: no view allocation.
      storage.set(src, cap);
      const from = cap + off;
      if (n <= first) {
        storage.copyWithin(slot, from, from + n);
      } else {
        storage.copyWithin(slot, from, from + first);
        storage.copyWithin(0, from + first, from + n);
      }
    } else if (n <= first) {
      storage.set(src.subarray(off, off + n), slot);
    } else {
      storage.set(src.subarray(off, off + first), slot);
      storage.set(src.subarray(off + first, off + n), 0);
    }
  }

  /**
   * Consumer: moves up to `length` elements into `dst` at `offset`.
   * @returns elements read; fewer than asked when the ring holds less (counted once in `underruns`)
   * @throws RingBufferError `TYPE_MISMATCH` for another array type, `INVALID_ARGUMENT` for a bad offset/length
   */
  pop(dst: RingArray<T>, offset?: number, length?: number): number {
    if (!(dst instanceof this.Type)) throw this.typeMismatch(dst);
    if (offset === undefined && length === undefined) return this.read(dst, 0, dst.length, 1, true);
    return this.read(dst, offset ?? 0, this.spanLength(dst, offset, length), 1, true);
  }

  /**
   * Consumer: copies up to `length` elements into `dst` at `offset` without consuming them.
   * @returns elements copied
   */
  peek(dst: RingArray<T>, offset?: number, length?: number): number {
    if (!(dst instanceof this.Type)) throw this.typeMismatch(dst);
    return this.read(dst, offset ?? 0, this.spanLength(dst, offset, length), 1, false);
  }

  /**
   * Consumer: copies whole groups of `granule` elements, at most `len`, consuming them when `consume`.
   * @internal arguments are validated by the caller
   */
  read(dst: RingArray<T>, off: number, len: number, granule: number, consume: boolean): number {
    // Kept small so V8 inlines it into pop: the short and wrapping cases live in other methods.
    const ctrl = this.ctrl;
    const cap = this.capacity;
    // Own index: only the consumer stores it, so a plain load reads exactly what it last published.
    const r = ctrl[W_READ] as number;
    let n = len;
    const avail = (this.writeSeen - r) | 0;
    if (avail < len || avail > cap) n = this.fitRead(r, len, granule, consume);
    if (n <= 0) return 0;
    const slot = r & this.mask;
    if (n <= cap - slot) dst.set(this.spans.get(slot, n), off);
    else this.copyOutWrapped(dst, off, n, slot);
    if (consume) {
      const next = (r + n) | 0;
      Atomics.store(ctrl, W_READ, next);
      this.readSeen = next;
      if (next >>> 0 < r >>> 0) Atomics.add(ctrl, W_READ_WRAPS, 1);
    }
    return n;
  }

  /** Consumer, when the cached write index shows too little data: re-loads it; counts an underrun if still short. */
  private fitRead(r: number, len: number, granule: number, consume: boolean): number {
    this.writeSeen = Atomics.load(this.ctrl, W_WRITE);
    const avail = (this.writeSeen - r) | 0;
    if (avail < 0 || avail > this.capacity) throw this.corrupt(avail);
    if (avail >= len) return len;
    if (consume) Atomics.add(this.ctrl, W_UNDERRUNS, 1);
    return granule === 1 ? avail : avail - (avail % granule);
  }

  /** Consumer: copies `n` elements that wrap the end of the storage, from `slot`, into `dst` at `off`. */
  private copyOutWrapped(dst: RingArray<T>, off: number, n: number, slot: number): void {
    const first = this.capacity - slot;
    dst.set(this.spans.get(slot, first), off);
    dst.set(this.spans.get(0, n - first), off + first);
  }

  /**
   * Consumer: drops up to `count` elements without copying them (not counted as an underrun).
   * @returns elements dropped
   */
  skip(count: number): number {
    if (!isIndex(count)) throw badArgument('skip count', count);
    const r = Atomics.load(this.ctrl, W_READ);
    const avail = (Atomics.load(this.ctrl, W_WRITE) - r) | 0;
    if (avail < 0 || avail > this.capacity) throw this.corrupt(avail);
    const n = Math.min(count, avail);
    if (n > 0) this.publishRead(r, n);
    return n;
  }

  /** Consumer: drops everything readable now (sets the read index to the write index). @returns elements dropped */
  clear(): number {
    const r = Atomics.load(this.ctrl, W_READ);
    const n = (Atomics.load(this.ctrl, W_WRITE) - r) | 0;
    if (n < 0 || n > this.capacity) throw this.corrupt(n);
    if (n > 0) this.publishRead(r, n);
    return n;
  }

  /**
   * Producer, zero-copy: hands `fn` the free region (one or two views into the ring) and publishes the count
   * it returns. `fn` is not called when the ring is full.
   * @param max - write at most this many; when more than the free space, counted as an overrun
   * @returns elements published
   * @throws RingBufferError `INVALID_ARGUMENT` when `fn` returns anything but an integer in [0, region size];
   * nothing is published then, nor when `fn` throws
   */
  writeWith(fn: RegionCallback<T>, max?: number): number {
    if (max !== undefined && !isIndex(max)) throw badArgument('max', max);
    const ctrl = this.ctrl;
    const w = Atomics.load(ctrl, W_WRITE);
    const free = this.capacity - ((w - Atomics.load(ctrl, W_READ)) | 0);
    let n = free;
    if (max !== undefined && max < free) n = max;
    else if (max !== undefined && max > free) Atomics.add(ctrl, W_OVERRUNS, 1);
    if (n <= 0) return 0;
    const k = this.callRegion(fn, w & this.mask, n);
    if (k > 0) this.publishWrite(w, k);
    return k;
  }

  /**
   * Consumer, zero-copy: hands `fn` the readable region (one or two views into the ring) and consumes the
   * count it returns. `fn` is not called when the ring is empty.
   * @param max - read at most this many; when more than is available, counted as an underrun
   * @returns elements consumed
   * @throws RingBufferError `INVALID_ARGUMENT` when `fn` returns anything but an integer in [0, region size]
   */
  readWith(fn: RegionCallback<T>, max?: number): number {
    if (max !== undefined && !isIndex(max)) throw badArgument('max', max);
    const ctrl = this.ctrl;
    const r = Atomics.load(ctrl, W_READ);
    const avail = (Atomics.load(ctrl, W_WRITE) - r) | 0;
    if (avail < 0 || avail > this.capacity) throw this.corrupt(avail);
    let n = avail;
    if (max !== undefined && max < avail) n = max;
    else if (max !== undefined && max > avail) Atomics.add(ctrl, W_UNDERRUNS, 1);
    if (n <= 0) return 0;
    const k = this.callRegion(fn, r & this.mask, n);
    if (k > 0) this.publishRead(r, k);
    return k;
  }

  /**
   * Consumer, non-real-time only: resolves `true` once `count` elements are readable, `false` after
   * `timeoutMs`. Sleeps with `Atomics.waitAsync` on the write index, so a JS producer wakes it at once with
   * `notifyOnPush` or {@link RingBuffer.notifyReaders}; a producer that cannot notify (native code) is
   * noticed within `pollMs`. Never call it on a real-time producer.
   * @throws RingBufferError `INVALID_ARGUMENT` for a count above capacity (never satisfiable) or a bad timeout
   */
  async waitForRead(count: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (!isIndex(count) || count > this.capacity) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `waitForRead count must be an integer in [0, ${this.capacity}], got ${String(count)}`,
      );
    }
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `timeoutMs must be a number ≥ 0, got ${String(timeoutMs)}`,
      );
    }
    const ctrl = this.ctrl;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const w = Atomics.load(ctrl, W_WRITE);
      if (((w - Atomics.load(ctrl, W_READ)) | 0) >= count) return true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      const slice = Math.max(0, Math.min(remaining, this.pollMs));
      if (this.shared && waitAsync) {
        const res = waitAsync(ctrl, W_WRITE, w, slice);
        if (res.async) await res.value;
      } else {
        await new Promise<void>((resolve) => setTimeout(resolve, slice));
      }
    }
  }

  /** Producer (or anyone): wakes `waitForRead` callers now. @returns how many waiters were woken */
  notifyReaders(): number {
    return this.shared ? Atomics.notify(this.ctrl, W_WRITE) : 0;
  }

  /** Pushes that found less room than asked (producer-side count in shared memory). */
  get overruns(): number {
    return Atomics.load(this.ctrl, W_OVERRUNS) >>> 0;
  }

  /** Pops that found less data than asked (consumer-side count in shared memory). */
  get underruns(): number {
    return Atomics.load(this.ctrl, W_UNDERRUNS) >>> 0;
  }

  /** Elements ever written. Exact on the producer thread; elsewhere may lag by 2^32 for an instant at a wrap. */
  get totalWritten(): number {
    return this.total(W_WRITE, W_WRITE_WRAPS);
  }

  /** Elements ever read (consumed). Exact on the consumer thread. */
  get totalRead(): number {
    return this.total(W_READ, W_READ_WRAPS);
  }

  private total(indexWord: number, wrapsWord: number): number {
    for (;;) {
      const i1 = Atomics.load(this.ctrl, indexWord) >>> 0;
      const wraps = Atomics.load(this.ctrl, wrapsWord) >>> 0;
      const i2 = Atomics.load(this.ctrl, indexWord) >>> 0;
      if (i2 >= i1) return wraps * TWO_POW_32 + i1;
    }
  }

  private callRegion(fn: RegionCallback<T>, slot: number, n: number): number {
    const first = this.capacity - slot;
    const a = n <= first ? this.spans.get(slot, n) : this.spans.get(slot, first);
    const b = n <= first ? this.empty : this.spans.get(0, n - first);
    const k = fn(a as RingArray<T>, b as RingArray<T>);
    if (!isIndex(k) || k > n) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `region callback must return the element count it handled, an integer in [0, ${n}]; got ${String(k)}`,
      );
    }
    return k;
  }

  private publishWrite(w: number, n: number): void {
    const next = (w + n) | 0;
    // Index first (release: the data copied above becomes visible with it), then the wrap count.
    Atomics.store(this.ctrl, W_WRITE, next);
    this.writeSeen = next;
    if (next >>> 0 < w >>> 0) Atomics.add(this.ctrl, W_WRITE_WRAPS, 1);
    if (this.notifyOnPush && this.shared) Atomics.notify(this.ctrl, W_WRITE);
  }

  private publishRead(r: number, n: number): void {
    const next = (r + n) | 0;
    Atomics.store(this.ctrl, W_READ, next);
    this.readSeen = next;
    if (next >>> 0 < r >>> 0) Atomics.add(this.ctrl, W_READ_WRAPS, 1);
  }

  /**
   * Validates an (offset, length) span of `arr` and returns the length. Out of line so that push and pop stay
   * small enough for V8 to inline them, with `write`/`read`, into the caller's loop.
   */
  private spanLength(arr: RingArray<T>, offset: number | undefined, length: number | undefined): number {
    const off = offset === undefined ? 0 : offset;
    if (!isIndex(off) || off > arr.length) throw this.badSpan('offset', off, arr.length);
    const len = length === undefined ? arr.length - off : length;
    if (!isIndex(len) || off + len > arr.length) throw this.badSpan('length', len, arr.length - off);
    return len;
  }

  private typeMismatch(v: unknown): RingBufferError {
    const got = v === null || v === undefined ? String(v) : ((v as object).constructor?.name ?? typeof v);
    return new RingBufferError('TYPE_MISMATCH', `this ring holds ${this.Type.name}; got ${got}`);
  }

  private badSpan(what: string, v: unknown, limit: number): RingBufferError {
    return new RingBufferError(
      'INVALID_ARGUMENT',
      `${what} must be an integer in [0, ${limit}] for this array, got ${String(v)}`,
    );
  }

  private corrupt(avail: number): RingBufferError {
    return new RingBufferError(
      'CORRUPT',
      `ring indices hold ${avail} elements in a ${this.capacity}-element ring: memory overwritten?`,
    );
  }
}
