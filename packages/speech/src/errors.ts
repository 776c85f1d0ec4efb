import { VoxwireError } from '@voxwire/core';

/**
 * Why a synthesizer refused or stopped: `TEXT_TOO_LONG` (over `maxTextLength`), `QUEUE_FULL` (over
 * `maxQueued`), `ABORTED` (the caller's signal fired), `PROCESS_FAILED` (the engine's process could not run or
 * failed), `INVALID_OUTPUT` (the engine's output was not the audio it promised).
 */
export type SynthesisErrorCode =
  | 'TEXT_TOO_LONG'
  | 'QUEUE_FULL'
  | 'ABORTED'
  | 'PROCESS_FAILED'
  | 'INVALID_OUTPUT';

/** A synthesis refused by a limit, stopped by its caller's abort signal, or failed in its engine. */
export class SynthesisError extends VoxwireError<SynthesisErrorCode> {}

/**
 * Why a transcriber refused or stopped: `QUEUE_FULL` (over `maxQueued`), `ABORTED` (the caller's signal
 * fired), `PROCESS_FAILED` (the recogniser's process could not run or failed).
 */
export type TranscriptionErrorCode = 'QUEUE_FULL' | 'ABORTED' | 'PROCESS_FAILED';

/** A transcription refused by a limit, stopped by its caller's abort signal, or failed in its engine. */
export class TranscriptionError extends VoxwireError<TranscriptionErrorCode> {}
