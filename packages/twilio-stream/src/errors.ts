import { VoxwireError } from '@voxwire/core';

/** Machine-readable reasons for a {@link TwilioStreamError}. */
export type TwilioStreamErrorCode =
  /** A WebSocket message that is not valid JSON, or not a JSON object with a string `event`. */
  | 'MALFORMED_JSON'
  /** A binary WebSocket frame: Twilio only sends text frames. */
  | 'BINARY_FRAME'
  /** An `event` this protocol version does not define. */
  | 'UNKNOWN_EVENT'
  /** A known event missing a required field, or with a field of the wrong type. */
  | 'BAD_MESSAGE'
  /** A `media.payload` that is not valid base64. */
  | 'BAD_BASE64'
  /** A `media.payload` whose size is not a whole number of 20 ms frames (160 mu-law bytes). */
  | 'BAD_FRAME_SIZE'
  /** A `media`, `dtmf` or `mark` before the `start` message. */
  | 'MEDIA_BEFORE_START'
  /** A second `start` on the same stream. */
  | 'DUPLICATE_START'
  /** A `streamSid` that is not the one announced in `start`. */
  | 'WRONG_STREAM'
  /** A `mark` echo whose name was never sent on this stream. */
  | 'UNKNOWN_MARK'
  /** A jump in `media.timestamp` longer than `maxGapMs`: not filled with silence, the timeline resynced. */
  | 'GAP_TOO_LARGE'
  /** No `start` within `startTimeoutMs`, or no message (or a frame stalled half-sent) for `idleTimeoutMs`; the simulator's `until()` past its clock limit. */
  | 'TIMEOUT'
  /** The far end stopped reading: more than `maxBufferedBytes` waited in the socket's send buffer. */
  | 'SLOW_CONSUMER'
  /** Invalid arguments to a method (a frame in a codec the call cannot send, a call SID missing, …). */
  | 'INVALID_ARGUMENT'
  /** Invalid server, call, REST or simulator configuration. */
  | 'INVALID_CONFIG'
  /** A `call` or `start` listener threw (reported, the server keeps serving). */
  | 'LISTENER_FAILED'
  /** The simulator's socket closed while something waited on it. */
  | 'CLOSED';

/**
 * A problem with the Twilio Media Streams protocol or with how the API was called. Stream problems are
 * emitted as `error` events on the call (the call keeps running); API misuse is thrown.
 */
export class TwilioStreamError extends VoxwireError<TwilioStreamErrorCode> {}

/** Codes of a {@link TwilioRestError}. */
export type TwilioRestErrorCode =
  /** The REST API answered with a non-2xx status (`status`, `twilioCode`, `moreInfo` say more). */
  | 'HTTP_ERROR'
  /** A 2xx answer whose body is not JSON. */
  | 'INVALID_RESPONSE';

/** A failed call to the Twilio REST API (or the server standing in for it). */
export class TwilioRestError extends VoxwireError<TwilioRestErrorCode> {
  /** HTTP status code. */
  readonly status: number;
  /** Twilio's numeric error code, when the body carried one (Twilio's own numbering, e.g. 20404). */
  readonly twilioCode: number | undefined;
  /** Twilio's link to the error's documentation, when the body carried one. */
  readonly moreInfo: string | undefined;

  constructor(
    code: TwilioRestErrorCode,
    message: string,
    details: { status: number; twilioCode?: number; moreInfo?: string },
  ) {
    super(code, message);
    this.status = details.status;
    this.twilioCode = details.twilioCode;
    this.moreInfo = details.moreInfo;
  }
}

/** Codes of a {@link SimulatorConnectError}. */
export type SimulatorConnectErrorCode =
  /** The server answered the upgrade with an HTTP status (`status`), e.g. 403 for a bad signature. */
  | 'REFUSED'
  /** The connection failed before any HTTP answer (`status` 0). */
  | 'CONNECT_FAILED';

/** Thrown by `TwilioSimulator.connect()` when the server refuses the WebSocket upgrade or cannot be reached. */
export class SimulatorConnectError extends VoxwireError<SimulatorConnectErrorCode> {
  /** HTTP status of the refusal (e.g. 403), or 0 when the connection failed otherwise. */
  readonly status: number;
  constructor(code: SimulatorConnectErrorCode, message: string, status: number, options?: ErrorOptions) {
    super(code, message, options);
    this.status = status;
  }
}
