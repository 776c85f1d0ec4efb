import { VoxwireError } from '@voxwire/core';

/** What went wrong, for code that branches on it. */
export type AudioCaptureErrorCode =
  | 'NO_DEVICE'
  | 'NOT_INITIALIZED'
  | 'ALREADY_RECORDING'
  | 'DISPOSED'
  | 'INVALID_CONFIG'
  | 'CALLBACK'
  | 'CAPTURE'
  | 'CONNECTION';

/** Every error of this example is a VoxwireError carrying a {@link AudioCaptureErrorCode}. */
export class AudioCaptureError extends VoxwireError<AudioCaptureErrorCode> {}

/**
 * The design's `RuntimeError`: a method called in the wrong state (`startRecording` before `initialize`,
 * twice, or after `dispose`).
 */
export class RuntimeError extends AudioCaptureError {
  constructor(code: 'NOT_INITIALIZED' | 'ALREADY_RECORDING' | 'DISPOSED', message: string) {
    super(code, message);
  }
}

/** `initialize` could not open an input device (none present, bad index, no audio server). */
export class NoDeviceError extends AudioCaptureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_DEVICE', message, options);
  }
}
