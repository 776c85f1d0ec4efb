import { VoxwireError } from '@voxwire/core';

/** Why a ring operation or attachment was refused. */
export type RingBufferErrorCode =
  /** The buffer is not a SharedArrayBuffer/ArrayBuffer, or is smaller than its header says. */
  | 'BAD_BUFFER'
  /** The header does not start with the 'VXRB' magic: not a ring, or not initialised. */
  | 'BAD_MAGIC'
  /** The header's layout version is not one this code understands. */
  | 'BAD_VERSION'
  /** The element type asked for does not match the header, or an array of another type was passed. */
  | 'TYPE_MISMATCH'
  /** A capacity that is not a positive integer, too large, or not a power of two in an existing header. */
  | 'BAD_CAPACITY'
  /** The read/write indices are inconsistent (more data than capacity): the memory was corrupted. */
  | 'CORRUPT'
  /** A negative, fractional or out-of-range offset/length/count, or a bad callback result. */
  | 'INVALID_ARGUMENT';

/** Thrown for a ring that cannot be created or attached, and for bad arguments; indices are never touched. */
export class RingBufferError extends VoxwireError<RingBufferErrorCode> {}
