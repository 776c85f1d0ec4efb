/**
 * The shared-memory layout v1 of a ring, the contract with native code (the `wasapi` addon) and with other
 * threads. Every header field is a little-endian 32-bit word at a fixed byte offset; JS accesses them with
 * `Atomics` on an Int32Array over bytes [0, 256), C++ with `__atomic` builtins (acquire loads, release stores).
 * Producer-owned and consumer-owned fields sit on separate 64-byte cache lines so the two threads do not
 * invalidate each other's line on every store (false sharing).
 */
export const RING_LAYOUT = {
  /** 'VXRB' read as a little-endian uint32. */
  MAGIC: 0x56585242,
  VERSION: 1,
  /** Bytes before element storage; a multiple of 8 so Float64 storage is aligned. */
  HEADER_BYTES: 256,
  /** Byte offsets of the header words. */
  OFFSET: {
    MAGIC: 0,
    VERSION: 4,
    CAPACITY: 8,
    TYPE_CODE: 12,
    ELEMENT_SIZE: 16,
    CHANNELS: 20,
    SAMPLE_RATE: 24,
    RESERVED: 28,
    WRITE_INDEX: 64,
    OVERRUNS: 68,
    WRITE_WRAPS: 72,
    READ_INDEX: 128,
    UNDERRUNS: 132,
    READ_WRAPS: 136,
    STORAGE: 256,
  },
  /** Largest capacity (elements): keeps `write - read` a non-negative int32. */
  MAX_CAPACITY: 2 ** 30,
} as const;

// Int32Array word indices of the header fields (byte offset / 4), used on the hot paths.
export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_CAPACITY = 2;
export const W_TYPE_CODE = 3;
export const W_ELEMENT_SIZE = 4;
export const W_CHANNELS = 5;
export const W_SAMPLE_RATE = 6;
export const W_WRITE = 16;
export const W_OVERRUNS = 17;
export const W_WRITE_WRAPS = 18;
export const W_READ = 32;
export const W_UNDERRUNS = 33;
export const W_READ_WRAPS = 34;
export const HEADER_WORDS = 64;
