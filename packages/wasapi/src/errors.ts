/** Codes of {@link AudioError}; native errors carry the same codes. */
export type AudioErrorCode =
  | 'ERR_UNKNOWN_DEVICE'
  | 'ERR_UNSUPPORTED_FORMAT'
  | 'ERR_INVALID_STATE'
  | 'ERR_STREAM_CLOSED'
  | 'ERR_BACKEND_UNAVAILABLE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_DEVICE'
  | 'ERR_NATIVE_LOAD';

/** Base class of every error this package throws or emits. */
export class AudioError extends Error {
  readonly code: AudioErrorCode;
  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The device id does not name a device of the chosen backend and direction. */
export class UnknownDeviceError extends AudioError {
  constructor(message: string) {
    super('ERR_UNKNOWN_DEVICE', message);
  }
}

/** Sample rate, channel count, format or mode the backend/device cannot do. */
export class UnsupportedFormatError extends AudioError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED_FORMAT', message);
  }
}

/** A call that is not valid in the stream's current state (e.g. start() twice). */
export class InvalidStateError extends AudioError {
  constructor(message: string) {
    super('ERR_INVALID_STATE', message);
  }
}

/** A call on a stream after close(). */
export class StreamClosedError extends AudioError {
  constructor(message: string) {
    super('ERR_STREAM_CLOSED', message);
  }
}

/** The backend's system library or server is missing (e.g. no PulseAudio server running). */
export class BackendUnavailableError extends AudioError {
  constructor(message: string) {
    super('ERR_BACKEND_UNAVAILABLE', message);
  }
}

/** An option or argument of the wrong type or out of range. */
export class InvalidArgumentError extends AudioError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}

/** The device or audio server failed while the stream was open (disconnected, server died). */
export class DeviceError extends AudioError {
  constructor(message: string) {
    super('ERR_DEVICE', message);
  }
}

/** The native addon could not be loaded; the message lists every place tried and why it failed. */
export class NativeLoadError extends AudioError {
  constructor(message: string) {
    super('ERR_NATIVE_LOAD', message);
  }
}

const byCode: Record<string, new (message: string) => AudioError> = {
  ERR_UNKNOWN_DEVICE: UnknownDeviceError,
  ERR_UNSUPPORTED_FORMAT: UnsupportedFormatError,
  ERR_INVALID_STATE: InvalidStateError,
  ERR_STREAM_CLOSED: StreamClosedError,
  ERR_BACKEND_UNAVAILABLE: BackendUnavailableError,
  ERR_INVALID_ARGUMENT: InvalidArgumentError,
  ERR_DEVICE: DeviceError,
};

/** Turns an error thrown by the addon (an Error with a `code`) into the matching typed error. */
export function fromNative(err: unknown): unknown {
  if (err instanceof AudioError || !(err instanceof Error)) return err;
  const code = (err as Error & { code?: unknown }).code;
  const Ctor = typeof code === 'string' ? byCode[code] : undefined;
  return Ctor ? new Ctor(err.message) : err;
}

/** Runs `fn`, converting native errors to typed ones. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err);
  }
}
