// Structured logs: one JSON object per line ({time, level, component, msg, ...fields}).

/** Log levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra fields of a log record (numbers, strings, flags, small objects). */
export type LogFields = Record<string, unknown>;

/** A component logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose records carry `component`. */
  child(component: string): Logger;
}

/**
 * Creates a JSON-lines logger.
 * @param write - where lines go (default stdout); gets the line without a newline
 */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  component = 'openclaw',
): Logger {
  const min = RANK[level];
  const log = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const record: LogFields = { time: new Date().toISOString(), level: lvl, component, msg, ...fields };
    let line: string;
    try {
      line = JSON.stringify(record, (_k, v: unknown) =>
        v instanceof Error ? { name: v.name, message: v.message } : v,
      );
    } catch {
      line = JSON.stringify({ time: record.time, level: lvl, component, msg });
    }
    write(line);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (c) => createLogger(level, write, c),
  };
}
