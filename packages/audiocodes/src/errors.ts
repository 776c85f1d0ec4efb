import { VoxwireError } from '@voxwire/core';

/** Why VoiceAI Connect's input was refused (an {@link AudioCodesProtocolError}'s `code`). */
export type AudioCodesProtocolErrorCode =
  /** Not valid JSON, or not a JSON object. */
  | 'BAD_JSON'
  /** A binary WebSocket frame: the Bot API is JSON text. */
  | 'BINARY_FRAME'
  /** A `type` the Bot API does not define (or one VAIC never sends). */
  | 'UNKNOWN_TYPE'
  /** A known message with a missing field, a field of the wrong type, or one over its length or count limit. */
  | 'BAD_FIELD'
  /** A message that is valid but not allowed now (before `session.initiate`, a second initiate, …). */
  | 'BAD_STATE'
  /** None of the offered media formats is supported. */
  | 'NO_FORMAT'
  /** `session.initiate` for a conversation id that is already open, or a resume of an unknown one. */
  | 'BAD_CONVERSATION'
  /** A `userStream.chunk` whose audio cannot be decoded (bad base64, odd PCM byte count). */
  | 'BAD_AUDIO'
  /** A server limit was reached (`maxConnections`, `maxSendBufferBytes`). */
  | 'LIMIT_EXCEEDED'
  /** VAIC did not answer a keepalive ping in time (`keepaliveTimeoutMs`): its socket was dropped. */
  | 'TIMEOUT'
  /** A handler failed on input it should have refused: reported instead of crashing the process. */
  | 'INTERNAL';

/**
 * A problem with what VoiceAI Connect sent. It is answered with `session.error` on the socket where the
 * Bot API allows it, and reported as an `error` event (on the session, or on the server outside any
 * conversation); the call and the process keep running.
 */
export class AudioCodesProtocolError extends VoxwireError<AudioCodesProtocolErrorCode> {}

/** Why a call into this package was refused (an {@link AudioCodesError}'s `code`). */
export type AudioCodesErrorCode =
  /** A bad option of {@link createAudioCodesServer} or a bad argument (audio that is not a frame, …). */
  | 'INVALID_ARGUMENT'
  /** Audio sent to a conversation that has ended. */
  | 'CLOSED'
  /** The test client's upgrade was answered with an HTTP status instead of a WebSocket. */
  | 'CONNECTION_REFUSED';

/** A wrong use of this package's API: bad options or arguments, or audio sent to an ended conversation. */
export class AudioCodesError extends VoxwireError<AudioCodesErrorCode> {}
