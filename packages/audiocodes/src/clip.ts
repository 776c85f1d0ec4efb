/** Longest piece of peer-supplied text quoted in an error message or a `session.error` reason. */
export const MAX_QUOTED_CHARS = 128;

/**
 * Shortens peer-supplied text before it is quoted in an error, so a hostile peer cannot make the server
 * log or echo megabytes. Non-strings are described by their type, never stringified (a `toString` trap).
 */
export function clip(value: unknown, max = MAX_QUOTED_CHARS): string {
  if (typeof value !== 'string')
    return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} chars)`;
}

/** A WebSocket close reason: at most 123 UTF-8 bytes (the protocol limit; `ws` throws past it). */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let out = text.slice(0, 120);
  while (Buffer.byteLength(out) > 120) out = out.slice(0, -1);
  return `${out}…`;
}
