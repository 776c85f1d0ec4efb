/** Why a transcriber refused or stopped: `queue_full` or `aborted`. */
export type TranscriptionErrorCode = 'queue_full' | 'aborted';

/** A transcription refused by a limit, or stopped by its caller's abort signal. */
export class TranscriptionError extends Error {
  override name = 'TranscriptionError';

  /**
   * @param code - machine-readable reason
   * @param message - explanation naming the limit and the option that sets it
   */
  constructor(
    readonly code: TranscriptionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
