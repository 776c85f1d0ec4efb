import { VoxwireError } from '@voxwire/core';

/** Codes of {@link AudioFormatError}. */
export type AudioFormatErrorCode =
  /** A format or option value that cannot be used: a rate, a channel count, a frame size, a codec setting, malformed audio. */
  | 'INVALID_FORMAT'
  /** A caller-supplied output buffer is shorter than the output. */
  | 'BUFFER_TOO_SMALL'
  /** Text that is not base64. */
  | 'INVALID_BASE64'
  /** Bytes that are not a WAV file this package reads. */
  | 'INVALID_WAV'
  /** The Opus backend asked for (`@discordjs/opus`) is not installed or does not load. */
  | 'BACKEND_UNAVAILABLE'
  /** A codec used after `close()`/`destroy()`. */
  | 'CLOSED';

/** Thrown for audio input that cannot be processed as given: odd byte counts, bad base64, wrong rates. */
export class AudioFormatError extends VoxwireError<AudioFormatErrorCode> {}
