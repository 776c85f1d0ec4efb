import { VoxwireError } from '@voxwire/core';
import type { ServerError } from './protocol.js';

/** What went wrong, for programmatic handling. */
export type RealtimeClientErrorCode =
  /** A method that sends was called before `connect()` or after `close()`. */
  | 'NOT_CONNECTED'
  /** An argument has the wrong type or value (e.g. a sample rate that is not a positive integer). */
  | 'INVALID_ARGUMENT'
  /** Audio that cannot be PCM16 (odd byte count, wrong array type). */
  | 'INVALID_AUDIO'
  /** A server frame that is not JSON, not an object, or has a bad field (e.g. non-base64 audio). */
  | 'PROTOCOL'
  /** The server sent an `error` event. */
  | 'SERVER'
  /** A tool handler threw, timed out, or its arguments did not parse. */
  | 'TOOL'
  /** The socket failed, or the connection attempt failed. */
  | 'CONNECTION'
  /** Reconnection gave up after `maxRetries` attempts. */
  | 'RECONNECT_FAILED';

/** The one error type of this package: thrown by calls, and delivered by the `error` event. */
export class RealtimeClientError extends VoxwireError<RealtimeClientErrorCode> {
  /** The server's error object, for `code === 'SERVER'` (its `code` keeps the wire spelling). */
  readonly serverError?: ServerError;

  constructor(
    code: RealtimeClientErrorCode,
    message: string,
    options: { cause?: unknown; serverError?: ServerError } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.serverError) this.serverError = options.serverError;
  }
}
