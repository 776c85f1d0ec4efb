import { VoxwireError } from '@voxwire/core';

/** Codes of {@link AudioDeviceError}. */
export type AudioDeviceErrorCode =
  /** The device id does not name a device of the chosen backend and direction. */
  | 'UNKNOWN_DEVICE'
  /** Sample rate, channel count, format or mode the backend/device cannot do (or a frame in another format). */
  | 'UNSUPPORTED_FORMAT'
  /** A call that is not valid in the stream's current state (e.g. start() twice). */
  | 'INVALID_STATE'
  /** A call on a stream after close(). */
  | 'CLOSED'
  /** The backend's system library or server is missing (e.g. no PulseAudio server running). */
  | 'BACKEND_UNAVAILABLE'
  /** An option or argument of the wrong type or out of range. */
  | 'INVALID_ARGUMENT'
  /** The device or audio server failed while the stream was open (disconnected, server died). */
  | 'DEVICE_ERROR'
  /** The native addon could not be loaded; the message lists every place tried and how to fix it. */
  | 'NATIVE_LOAD_FAILED';

/** Every error this package throws or emits; branch on `code`. */
export class AudioDeviceError extends VoxwireError<AudioDeviceErrorCode> {}

// The addon throws Errors with its own `ERR_*` codes (the C++ side keeps them); this maps them.
const NATIVE_CODES: Readonly<Record<string, AudioDeviceErrorCode>> = {
  ERR_UNKNOWN_DEVICE: 'UNKNOWN_DEVICE',
  ERR_UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  ERR_INVALID_STATE: 'INVALID_STATE',
  ERR_STREAM_CLOSED: 'CLOSED',
  ERR_BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  ERR_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  ERR_DEVICE: 'DEVICE_ERROR',
};

/**
 * Turns an error thrown by the addon (an Error with an `ERR_*` code) into an {@link AudioDeviceError};
 * one without a known code is a device failure (`DEVICE_ERROR`), with the original as `cause`.
 */
export function fromNative(err: unknown): AudioDeviceError {
  if (err instanceof AudioDeviceError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const mapped = typeof code === 'string' ? NATIVE_CODES[code] : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new AudioDeviceError(mapped ?? 'DEVICE_ERROR', message, { cause: err });
}

/** Runs `fn`, converting native errors to {@link AudioDeviceError}s. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err);
  }
}
