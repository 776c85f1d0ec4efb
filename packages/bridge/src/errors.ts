/** Thrown when audio is sent to a call that has already ended. */
export class CallEndedError extends Error {
  override name = 'CallEndedError';
  constructor(
    readonly callId: string,
    readonly reason: string,
  ) {
    super(`call ${callId} has ended (${reason})`);
  }
}

/** Machine-readable reasons for an {@link AudioCodesProtocolError}. */
export type AudioCodesErrorCode =
  /** Not valid JSON, or not a JSON object. */
  | 'bad_json'
  /** A binary WebSocket frame: the Bot API is JSON text. */
  | 'binary_frame'
  /** A `type` the Bot API does not define (or one VAIC never sends). */
  | 'unknown_type'
  /** A known message with a missing field, a field of the wrong type, or one over its length or count limit. */
  | 'bad_field'
  /** A message that is valid but not allowed now (before `session.initiate`, a second initiate, …). */
  | 'bad_state'
  /** None of the offered media formats is supported. */
  | 'no_format'
  /** `session.initiate` for a conversation id that is already open, or a resume of an unknown one. */
  | 'bad_conversation'
  /** A `userStream.chunk` whose audio cannot be decoded (bad base64, odd PCM byte count). */
  | 'bad_audio'
  /** A handler failed on input it should have refused: reported instead of crashing the process. */
  | 'internal';

/**
 * A problem with a message from VoiceAI Connect. It is answered with `session.error` on the socket where the
 * Bot API allows it, and reported as an `error` event (on the session, or on the server outside any
 * conversation); the call and the process keep running.
 */
export class AudioCodesProtocolError extends Error {
  override name = 'AudioCodesProtocolError';
  /** Why it happened. */
  readonly code: AudioCodesErrorCode;

  constructor(code: AudioCodesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
