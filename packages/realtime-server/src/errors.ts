import { VoxwireError } from '@voxwire/core';
import type { RealtimeErrorBody } from '@voxwire/realtime-protocol';

/** Longest error message sent to a client. */
const MAX_MESSAGE_CHARS = 500;

/**
 * OpenAI's `error.code` values this server sends for refused client events, in OpenAI's spelling. The
 * error's class `code` is the same name in SCREAMING_SNAKE_CASE ({@link RealtimeProtocolErrorCode}).
 */
export type RealtimeWireErrorCode =
  | 'cannot_update_voice'
  | 'conversation_already_has_active_response'
  | 'conversation_items_limit'
  | 'input_audio_buffer_commit_empty'
  | 'input_audio_buffer_full'
  | 'invalid_json'
  | 'invalid_request'
  | 'invalid_type'
  | 'invalid_value'
  | 'item_already_exists'
  | 'item_audio_too_long'
  | 'item_delete_invalid_item_id'
  | 'item_retrieve_invalid_item_id'
  | 'item_truncate_invalid_item_id'
  | 'missing_required_parameter'
  | 'response_cancel_not_active'
  | 'server_error'
  | 'unknown_parameter';

/** Codes of {@link RealtimeProtocolError}: the wire codes in SCREAMING_SNAKE_CASE. */
export type RealtimeProtocolErrorCode = Uppercase<RealtimeWireErrorCode>;

/**
 * A client event the server refuses: becomes an `error` server event carrying {@link wireType},
 * {@link wireCode}, `message`, {@link param} and the offending client `event_id`. The session stays open.
 */
export class RealtimeProtocolError extends VoxwireError<RealtimeProtocolErrorCode> {
  /** The `error.code` sent to the client, in OpenAI's spelling (`code` lowercased, e.g. `invalid_value`). */
  readonly wireCode: RealtimeWireErrorCode;

  /**
   * @param code - e.g. `INVALID_VALUE`, `UNKNOWN_PARAMETER`
   * @param message - human-readable explanation naming the problem
   * @param param - dotted path of the offending field, e.g. `session.audio.input.format.type`
   * @param wireType - the `error.type` sent; OpenAI uses `invalid_request_error` for client mistakes
   */
  constructor(
    code: RealtimeProtocolErrorCode,
    message: string,
    readonly param: string | null = null,
    readonly wireType = 'invalid_request_error',
  ) {
    // Messages may quote client values (ids, names): an attacker's megabyte string is not echoed back whole.
    super(code, message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message);
    this.wireCode = code.toLowerCase() as RealtimeWireErrorCode;
  }

  /** The wire body for an `error` event answering the client event `eventId`. */
  toBody(eventId: string | null): RealtimeErrorBody {
    return {
      type: this.wireType,
      code: this.wireCode,
      message: this.message,
      param: this.param,
      event_id: eventId,
    };
  }
}

/** Why a running server reports an error: `ENGINE_FAILED` (an engine, or the `engines` function, threw). */
export type RealtimeServerErrorCode = 'ENGINE_FAILED';

/**
 * What a running server reports: emitted as the server's `error` event (a process warning when nobody
 * listens), or the reason a response failed (`status_details.error` on the wire).
 */
export class RealtimeServerError extends VoxwireError<RealtimeServerErrorCode> {}

/** Why `createRealtimeServer` refused its options: `INVALID_ARGUMENT` (a bad value), `INVALID_STATE` (a given server not listening). */
export type RealtimeServerConfigErrorCode = 'INVALID_ARGUMENT' | 'INVALID_STATE';

/** Thrown by `createRealtimeServer` for options that cannot work (bad port, path, engines). */
export class RealtimeServerConfigError extends VoxwireError<RealtimeServerConfigErrorCode> {}
