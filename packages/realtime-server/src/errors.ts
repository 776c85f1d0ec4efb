import type { RealtimeErrorBody } from './protocol.js';

/** Longest error message sent to a client. */
const MAX_MESSAGE_CHARS = 500;

/**
 * A client event the server refuses: becomes an `error` server event carrying `type`, `code`, `message`,
 * `param` and the offending client `event_id`. The session stays open.
 */
export class RealtimeProtocolError extends Error {
  override name = 'RealtimeProtocolError';

  /**
   * @param code - machine-readable code, e.g. `invalid_value`, `unknown_parameter`
   * @param message - human-readable explanation naming the problem
   * @param param - dotted path of the offending field, e.g. `session.audio.input.format.type`
   * @param type - error class; OpenAI uses `invalid_request_error` for client mistakes
   */
  constructor(
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    // Messages may quote client values (ids, names): an attacker's megabyte string is not echoed back whole.
    super(message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message);
  }

  /** The wire body for an `error` event answering the client event `eventId`. */
  toBody(eventId: string | null): RealtimeErrorBody {
    return { type: this.type, code: this.code, message: this.message, param: this.param, event_id: eventId };
  }
}

/** Thrown by `createRealtimeServer` for options that cannot work (bad port, path, engines). */
export class RealtimeServerConfigError extends Error {
  override name = 'RealtimeServerConfigError';
}
