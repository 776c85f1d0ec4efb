// The one error type of configuration: names the variable that cannot be used.
import { VoxwireError } from '@voxwire/core';

/** Why a {@link ConfigError} was thrown: `INVALID_CONFIG` (a variable that cannot be used). */
export type ConfigErrorCode = 'INVALID_CONFIG';

/** Thrown for a variable that cannot be used (code `INVALID_CONFIG`; the message names it and what is expected). */
export class ConfigError extends VoxwireError<ConfigErrorCode> {
  /**
   * @param variable - the environment variable at fault, e.g. `AUDIO_LATENCY`
   * @param message - what is expected; the error's message is `${variable}: ${message}`
   */
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('INVALID_CONFIG', `${variable}: ${message}`);
  }
}
