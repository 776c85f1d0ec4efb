/** Machine-readable reason carried by every {@link WebRtcError}. */
export type WebRtcErrorCode =
  /** The SDP text could not be parsed or carries no usable Opus audio section. */
  | 'bad-sdp'
  /** An ICE candidate was malformed or rejected by the connection. */
  | 'bad-candidate'
  /** An option passed to a constructor is out of range. */
  | 'bad-option'
  /** A method was called in a state where it cannot work (for example `acceptAnswer` without an offer). */
  | 'invalid-state'
  /** The peer has been closed. */
  | 'closed'
  /** PCM handed to `sendAudio` was unusable (wrong type, unsupported rate). */
  | 'bad-audio'
  /** More audio was queued than the configured limit allows. */
  | 'queue-overflow'
  /** A signaling message was not JSON, not an object, of an unknown type, or missing a field. */
  | 'bad-message'
  /** A signaling message named a session or room peer that does not exist. */
  | 'unknown-session'
  /** The signaling connection was refused by `authenticate`. */
  | 'unauthorized'
  /** A configured limit was reached (server-side sessions per signaling connection). */
  | 'limit-exceeded'
  /** The far end stopped sending media for longer than the peer's `mediaTimeoutMs` (it vanished). */
  | 'media-timeout'
  /** `iceTransportPolicy: 'relay'` and no TURN relay candidate: server unreachable, credential wrong or expired. */
  | 'turn-failed'
  /** A Janus request failed: Janus or its plugin answered with an error (see `JanusError` for the number). */
  | 'janus-error'
  /** A Janus request got no answer within its timeout. */
  | 'timeout'
  /** The connection to Janus is down (and reconnecting failed or was not attempted). */
  | 'disconnected'
  /** A failure inside the WebRTC stack (werift) or a codec. */
  | 'internal';

/** The one error type of `@voxwire/webrtc`: thrown by calls, emitted as `error` events by sessions. */
export class WebRtcError extends Error {
  override name = 'WebRtcError';
  /** Why it failed, for code that branches on the reason. */
  readonly code: WebRtcErrorCode;

  constructor(code: WebRtcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
