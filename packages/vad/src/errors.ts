import { VoxwireError } from '@voxwire/core';

/** What went wrong, machine-readable, so callers can branch without parsing messages. */
export type VadErrorCode =
  /** A frame of the wrong length (or not an {@link AudioFrame} of mono Int16 PCM) was given to a VAD. */
  | 'FRAME_SIZE'
  /** A sample rate the VAD or segmenter cannot work at, or a frame at another rate than configured. */
  | 'SAMPLE_RATE'
  /** An option or argument outside its valid range (a frame with the wrong channel count, say). */
  | 'INVALID_ARGUMENT'
  /** The Silero model file could not be found or read. */
  | 'MODEL_NOT_FOUND'
  /** The optional peer dependency onnxruntime-node is not installed or failed to load. */
  | 'RUNTIME_MISSING'
  /** The model ran but did not produce what Silero VAD v5 produces. */
  | 'MODEL_INVALID'
  /** `SileroVad.process` was called again before the previous frame's promise settled. */
  | 'BUSY'
  /** The object was used after `close()`. */
  | 'CLOSED';

/** Thrown for every bad input or missing piece in `@voxwire/vad`; `code` says which. */
export class VadError extends VoxwireError<VadErrorCode> {}
