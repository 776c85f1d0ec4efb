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
  | 'payload_too_large'
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
  payload_too_large: 413,
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
