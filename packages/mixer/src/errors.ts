import { VoxwireError } from '@voxwire/core';

/** Why a mixer call was refused or what went wrong while mixing. */
export type MixerErrorCode =
  /** Bad constructor or stream options (rates, frame size, channel counts). */
  | 'BAD_OPTIONS'
  /** A stream id that was never added (or was removed). */
  | 'UNKNOWN_STREAM'
  /** `addStream` with an id that is already in use. */
  | 'DUPLICATE_STREAM'
  /** A frame that is not an Int16 AudioFrame, not at the input's rate and channels, or not whole sample frames. */
  | 'BAD_AUDIO'
  /** A gain or ramp that is NaN, infinite or negative. */
  | 'BAD_GAIN'
  /** An output callback threw; reported through the `error` event, the clock keeps running. */
  | 'OUTPUT_FAILED'
  /** `start()` or `addStream()` after `close()`. */
  | 'CLOSED';

/** Thrown for bad calls, and emitted as the `error` event for failures inside the clock. */
export class MixerError extends VoxwireError<MixerErrorCode> {}
