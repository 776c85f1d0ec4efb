// The one error type of configuration: names the variable that cannot be used.

/** Thrown for a variable that cannot be used (the message names it and what is expected). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
