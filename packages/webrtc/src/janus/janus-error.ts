import { WebRtcError, type WebRtcErrorCode } from '../errors.js';

/**
 * A failed Janus request. `janusCode` is Janus' own number: core errors (458 no such session, 460 no such
 * plugin, 403 unauthorized, …) or the plugin's `error_code` (AudioBridge 485 no such room, 489 unauthorized
 * / wrong pin, …; VideoRoom 426 no such room, 433 unauthorized, …).
 */
export class JanusError extends WebRtcError {
  /** Janus' error number, when Janus answered with one. */
  readonly janusCode: number | undefined;
  /** The plugin that answered (`janus.plugin.audiobridge`, …), for plugin errors. */
  readonly plugin: string | undefined;

  constructor(
    code: WebRtcErrorCode,
    message: string,
    options: { janusCode?: number; plugin?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.janusCode = options.janusCode;
    this.plugin = options.plugin;
  }
}

/** Janus core error numbers worth branching on. */
export const JANUS_CORE_ERRORS = {
  /** The session does not exist (expired, or Janus restarted). */
  SESSION_NOT_FOUND: 458,
  /** The handle does not exist. */
  HANDLE_NOT_FOUND: 459,
  /** No plugin of that name is loaded. */
  PLUGIN_NOT_FOUND: 460,
  /** Missing or wrong API secret or token. */
  UNAUTHORIZED: 403,
} as const;
