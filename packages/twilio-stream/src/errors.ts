/** Machine-readable reasons for a {@link TwilioStreamError}. */
export type TwilioStreamErrorCode =
  /** A WebSocket message that is not valid JSON, or not a JSON object with a string `event`. */
  | 'malformed_json'
  /** A binary WebSocket frame: Twilio only sends text frames. */
  | 'binary_frame'
  /** An `event` this protocol version does not define. */
  | 'unknown_event'
  /** A known event missing a required field, or with a field of the wrong type. */
  | 'bad_message'
  /** A `media.payload` that is not valid base64. */
  | 'bad_base64'
  /** A `media.payload` whose size is not a whole number of 20 ms frames (160 mu-law bytes). */
  | 'bad_frame_size'
  /** A `media`, `dtmf` or `mark` before the `start` message. */
  | 'media_before_start'
  /** A second `start` on the same stream. */
  | 'duplicate_start'
  /** A `streamSid` that is not the one announced in `start`. */
  | 'wrong_stream'
  /** A `mark` echo whose name was never sent on this stream. */
  | 'unknown_mark'
  /** A jump in `media.timestamp` longer than `maxGapMs`: not filled with silence, the timeline resynced. */
  | 'gap_too_large'
  /** No `start` within `startTimeoutMs`, or no message (or a frame stalled half-sent) for `idleTimeoutMs`. */
  | 'timeout'
  /** The far end stopped reading: more than `maxBufferedBytes` waited in the socket's send buffer. */
  | 'slow_consumer'
  /** Invalid arguments to a call method (sample rate, array type, call state). */
  | 'bad_argument'
  /** Invalid server or client configuration. */
  | 'bad_config';

/**
 * A problem with the Twilio Media Streams protocol or with how the API was called. Stream problems are
 * emitted as `error` events on the call (the call keeps running); API misuse is thrown.
 */
export class TwilioStreamError extends Error {
  override name = 'TwilioStreamError';
  /** Why it happened. */
  readonly code: TwilioStreamErrorCode;

  constructor(code: TwilioStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A non-2xx answer from the Twilio REST API (or the server standing in for it). */
export class TwilioRestError extends Error {
  override name = 'TwilioRestError';
  /** HTTP status code. */
  readonly status: number;
  /** Twilio's numeric error code, when the body carried one. */
  readonly twilioCode: number | undefined;
  /** Twilio's link to the error's documentation, when the body carried one. */
  readonly moreInfo: string | undefined;

  constructor(status: number, message: string, twilioCode?: number, moreInfo?: string) {
    super(message);
    this.status = status;
    this.twilioCode = twilioCode;
    this.moreInfo = moreInfo;
  }
}
