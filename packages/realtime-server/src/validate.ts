import { RealtimeProtocolError } from './errors.js';

// Small checkers for client payloads. Each throws a RealtimeProtocolError whose `param` is the dotted path of
// the offending field, the way OpenAI's own errors name it.

/** A plain JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `${typeof value === 'object' ? 'an object' : `a ${typeof value}`}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, param: string): JsonObject {
  if (value === undefined) throw missing(param);
  if (!isObject(value)) {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected an object, but got ${describe(value)}.`,
      param,
    );
  }
  return value;
}

export function missing(param: string): RealtimeProtocolError {
  return new RealtimeProtocolError(
    'MISSING_REQUIRED_PARAMETER',
    `Missing required parameter: '${param}'.`,
    param,
  );
}

export function requireString(value: unknown, param: string, opts: { nonEmpty?: boolean } = {}): string {
  if (value === undefined) throw missing(param);
  if (typeof value !== 'string') {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected a string, but got ${describe(value)}.`,
      param,
    );
  }
  if (opts.nonEmpty && value.length === 0) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value for '${param}': must not be empty.`,
      param,
    );
  }
  return value;
}

export function requireBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected a boolean, but got ${describe(value)}.`,
      param,
    );
  }
  return value;
}

export function requireNumber(
  value: unknown,
  param: string,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) throw missing(param);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected a number, but got ${describe(value)}.`,
      param,
    );
  }
  if (range.integer && !Number.isInteger(value)) {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected an integer, but got ${value}.`,
      param,
    );
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    const bounds =
      range.max === undefined
        ? `>= ${range.min}`
        : range.min === undefined
          ? `<= ${range.max}`
          : `between ${range.min} and ${range.max}`;
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value for '${param}': ${value} is out of range; expected a value ${bounds}.`,
      param,
    );
  }
  return value;
}

export function requireEnum<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (value === undefined) throw missing(param);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value: ${typeof value === 'string' ? `'${value}'` : describe(value)}. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`,
      param,
    );
  }
  return value as T;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (value === undefined) throw missing(param);
  if (!Array.isArray(value)) {
    throw new RealtimeProtocolError(
      'INVALID_TYPE',
      `Invalid type for '${param}': expected an array, but got ${describe(value)}.`,
      param,
    );
  }
  return value;
}

/** Rejects fields outside `allowed`, naming the first unknown one. */
export function rejectUnknown(obj: JsonObject, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const param = prefix ? `${prefix}.${key}` : key;
      throw new RealtimeProtocolError('UNKNOWN_PARAMETER', `Unknown parameter: '${param}'.`, param);
    }
  }
}
