import { RealtimeClientError } from './errors.js';
import { BETA_EVENT_ALIASES, SERVER_EVENT_TYPES, type ServerEvent } from './protocol.js';
import { frameText } from './socket.js';

/** A parsed server frame: a known GA event (beta names mapped), or an event of a type this client does not know. */
export type ParsedFrame =
  | { known: true; event: ServerEvent }
  | { known: false; event: { type: string; [key: string]: unknown } };

/**
 * Parses one server frame. Returns a `PROTOCOL` error (never throws) for a binary frame, text that is not
 * JSON, or JSON that is not an object with a string `type`.
 */
export function parseServerFrame(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): ParsedFrame | RealtimeClientError {
  if (isBinary) {
    return new RealtimeClientError(
      'PROTOCOL',
      'server sent a binary frame; the Realtime API speaks JSON text',
    );
  }
  const text = frameText(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return new RealtimeClientError(
      'PROTOCOL',
      `server frame is not JSON (${(err as Error).message}): ${preview}`,
      {
        cause: err,
      },
    );
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    typeof (parsed as { type?: unknown }).type !== 'string'
  ) {
    return new RealtimeClientError(
      'PROTOCOL',
      `server event is not an object with a string "type": ${text.slice(0, 80)}`,
    );
  }
  const event = parsed as { type: string; [key: string]: unknown };
  const alias = BETA_EVENT_ALIASES[event.type];
  if (alias) event.type = alias;
  if (!SERVER_EVENT_TYPES.has(event.type)) return { known: false, event };
  return { known: true, event: event as unknown as ServerEvent };
}
