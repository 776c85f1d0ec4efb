import { VoxwireError } from '@voxwire/core';
import { SynthesisError } from '@voxwire/speech';

/**
 * The `code` of Jarvis's JSON errors on the wire, in the protocol's lowercase spelling: the REST body
 * `{ error: { code, message } }`, the reason phrase of a refused WebSocket upgrade, and the `data.code` of a
 * socket's `error` message. Part of what clients read, so never renamed.
 */
export type JarvisWireCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'invalid_config'
  | 'invalid_message'
  | 'invalid_audio'
  | 'not_streaming'
  | 'busy'
  | 'unavailable'
  | 'payload_too_large'
  | 'internal_error'
  | 'core_unavailable'
  | 'stt_failed'
  | 'tts_failed'
  | 'plugin_failed';

/**
 * Machine-readable reason of a {@link JarvisError}: the wire codes in SCREAMING_SNAKE_CASE (`NOT_STREAMING`
 * is sent as `not_streaming`).
 */
export type JarvisErrorCode = Uppercase<JarvisWireCode>;

/** HTTP status for each error code. */
const STATUS: Record<JarvisErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  INVALID_CONFIG: 400,
  INVALID_MESSAGE: 400,
  INVALID_AUDIO: 400,
  NOT_STREAMING: 409,
  BUSY: 429,
  UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_ERROR: 500,
  CORE_UNAVAILABLE: 502,
  STT_FAILED: 500,
  TTS_FAILED: 500,
  PLUGIN_FAILED: 500,
};

/**
 * Every error Jarvis reports: a code, a message, and the HTTP status it maps to. Clients get
 * {@link wireCode} (not `code`) as the `code` of the JSON error.
 */
export class JarvisError extends VoxwireError<JarvisErrorCode> {
  /** The `code` sent to clients, in the wire's spelling (`code` lowercased, e.g. `not_streaming`). */
  readonly wireCode: JarvisWireCode;

  /**
   * @param code - e.g. `BAD_REQUEST`, `NOT_STREAMING`
   * @param message - what went wrong, sent to the client as is
   */
  constructor(code: JarvisErrorCode, message: string) {
    super(code, message);
    this.wireCode = code.toLowerCase() as JarvisWireCode;
  }

  /** HTTP status for this error. */
  get status(): number {
    return STATUS[this.code];
  }

  /** The JSON body sent for it: `{ error: { code: wireCode, message } }`. */
  toJSON(): { error: { code: JarvisWireCode; message: string } } {
    return { error: { code: this.wireCode, message: this.message } };
  }
}

/**
 * `err` as a JarvisError: itself, or (anything else is a bug, whose text must not reach the client) a
 * generic `INTERNAL_ERROR`, the original going to `log`.
 */
export function asJarvisError(err: unknown, log: (line: string) => void = console.error): JarvisError {
  if (err instanceof JarvisError) return err;
  log(`jarvis: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return new JarvisError('INTERNAL_ERROR', 'internal error');
}

/** A synthesizer's refusal as the client should see it: a full queue is `BUSY`, a limit a `BAD_REQUEST`. */
export function synthesisFailure(err: unknown): JarvisError {
  if (err instanceof SynthesisError) {
    if (err.code === 'QUEUE_FULL')
      return new JarvisError('BUSY', 'speech synthesis is busy; try again shortly');
    if (err.code === 'TEXT_TOO_LONG') return new JarvisError('BAD_REQUEST', err.message);
  }
  if (err instanceof JarvisError) return err;
  return new JarvisError('TTS_FAILED', `speech synthesis failed: ${(err as Error).message.slice(0, 200)}`);
}
