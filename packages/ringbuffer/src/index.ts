/**
 * @voxwire/ringbuffer: a wait-free single-producer/single-consumer ring over SharedArrayBuffer, with a
 * fixed byte layout (see {@link RING_LAYOUT} and the README) shared with worker threads and native code.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { AudioRing, type AudioRingCreateOptions } from './audio-ring.js';
export {
  ELEMENT_TYPE_CODES,
  type RingArray,
  type RingElementArray,
  type RingElementType,
} from './element-types.js';
export { RingBufferError, type RingBufferErrorCode } from './errors.js';
export { RING_LAYOUT } from './layout.js';
export {
  nextPowerOfTwo,
  type RegionCallback,
  RingBuffer,
  type RingBufferAttachOptions,
  type RingBufferCreateOptions,
} from './ring-buffer.js';
