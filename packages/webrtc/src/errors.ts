import { VoxwireError } from '@voxwire/core';

/** Machine-readable reason carried by every {@link WebRtcError}. */
export type WebRtcErrorCode =
  /** The SDP text could not be parsed or carries no usable Opus audio section. */
  | 'BAD_SDP'
  /** An ICE candidate was malformed or rejected by the connection. */
  | 'BAD_CANDIDATE'
  /** An option or argument is out of range. */
  | 'INVALID_ARGUMENT'
  /** A method was called in a state where it cannot work (for example `acceptAnswer` without an offer). */
  | 'INVALID_STATE'
  /** The peer (or client, server, manager) has been closed. */
  | 'CLOSED'
  /** A frame handed to `sendAudio` was unusable (not a frame, not mono, an unsupported rate or codec). */
  | 'BAD_AUDIO'
  /** More audio was queued than the configured limit allows. */
  | 'QUEUE_FULL'
  /** A signaling message (or a Janus message) was not JSON, not an object, of an unknown type, or missing a field. */
  | 'PROTOCOL_ERROR'
  /** A signaling message named a session, connection or room peer that does not exist. */
  | 'NOT_FOUND'
  /** The signaling connection was refused by `authenticate`. */
  | 'UNAUTHORIZED'
  /** A configured limit was reached (server-side sessions per signaling connection, unread bytes). */
  | 'LIMIT_EXCEEDED'
  /** The far end stopped sending media for longer than the peer's `mediaTimeoutMs` (it vanished). */
  | 'MEDIA_TIMEOUT'
  /** `iceTransportPolicy: 'relay'` and no TURN relay candidate: server unreachable, credential wrong or expired. */
  | 'TURN_FAILED'
  /** A Janus request failed: Janus or its plugin answered with an error (see `JanusError` for the number). */
  | 'JANUS_ERROR'
  /** A Janus request got no answer within its timeout. */
  | 'TIMEOUT'
  /** The connection to Janus is down (and reconnecting failed or was not attempted). */
  | 'DISCONNECTED'
  /** The shipped werift patch does not fit the werift found (another version, or files edited since). */
  | 'PATCH_FAILED'
  /** A failure inside the WebRTC stack (werift) or a codec. */
  | 'INTERNAL';

/**
 * The one error type of `@voxwire/webrtc` (a {@link VoxwireError}): thrown by calls, emitted as `error`
 * events by peers and Janus clients, and sent as the `code` of a signaling `error` message.
 */
export class WebRtcError extends VoxwireError<WebRtcErrorCode> {}
