/** Severity of a log line; `LOG_LEVEL` shows this level and the ones above it. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The agent's leveled log: lines below the configured level are never formatted. */
export interface Logger {
  enabled(level: LogLevel): boolean;
  debug(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** A logger writing `<level> <line>` to `sink` for `level` and above. */
export function createLogger(level: LogLevel, sink: (line: string) => void): Logger {
  const min = RANK[level];
  const at =
    (l: LogLevel) =>
    (line: string): void => {
      if (RANK[l] >= min) sink(`${l} ${line}`);
    };
  return {
    enabled: (l) => RANK[l] >= min,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
