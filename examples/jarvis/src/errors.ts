import { SynthesisError } from '@voxwire/speech';

/** Machine-readable reason of a {@link JarvisError}; also the `code` of JSON errors on the wire. */
export type JarvisErrorCode =
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

/** HTTP status for each error code. */
const STATUS: Record<JarvisErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  bad_request: 400,
  invalid_config: 400,
  invalid_message: 400,
  invalid_audio: 400,
  not_streaming: 409,
  busy: 429,
  unavailable: 503,
  payload_too_large: 413,
  internal_error: 500,
  core_unavailable: 502,
  stt_failed: 500,
  tts_failed: 500,
  plugin_failed: 500,
};

/** Every error Jarvis reports: a code, a message, and the HTTP status it maps to. */
export class JarvisError extends Error {
  readonly code: JarvisErrorCode;
  constructor(code: JarvisErrorCode, message: string) {
    super(message);
    this.name = 'JarvisError';
    this.code = code;
  }

  /** HTTP status for this error. */
  get status(): number {
    return STATUS[this.code];
  }

  /** The JSON body sent for it: `{ error: { code, message } }`. */
  toJSON(): { error: { code: JarvisErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * `err` as a JarvisError: itself, or (anything else is a bug, whose text must not reach the client) a
 * generic `internal_error`, the original going to `log`.
 */
export function asJarvisError(err: unknown, log: (line: string) => void = console.error): JarvisError {
  if (err instanceof JarvisError) return err;
  log(`jarvis: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return new JarvisError('internal_error', 'internal error');
}

/** A synthesizer's refusal as the client should see it: a full queue is `busy`, a limit a `bad_request`. */
export function synthesisFailure(err: unknown): JarvisError {
  if (err instanceof SynthesisError) {
    if (err.code === 'QUEUE_FULL')
      return new JarvisError('busy', 'speech synthesis is busy; try again shortly');
    if (err.code === 'TEXT_TOO_LONG') return new JarvisError('bad_request', err.message);
  }
  if (err instanceof JarvisError) return err;
  return new JarvisError('tts_failed', `speech synthesis failed: ${(err as Error).message.slice(0, 200)}`);
}
