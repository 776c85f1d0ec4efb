import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FleetError } from './errors.js';

/**
 * Whether the request carries `Authorization: Bearer <token>`. Both sides are hashed first so the
 * comparison is constant-time whatever the lengths (timingSafeEqual needs equal lengths).
 */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice(7)).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}

/**
 * Reads a JSON object body of at most `maxBytes` (an empty body is `{}`).
 * @throws FleetError `LIMIT_EXCEEDED` past `maxBytes` (by Content-Length or as it streams),
 *   `INVALID_ARGUMENT` for anything but a JSON object.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new FleetError('LIMIT_EXCEEDED', `body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new FleetError('LIMIT_EXCEEDED', `body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FleetError('INVALID_ARGUMENT', 'body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FleetError('INVALID_ARGUMENT', 'body must be a JSON object');
  return v as Record<string, unknown>;
}

/** HTTP status of each FleetError code. */
export const STATUS_OF: Record<FleetError['code'], number> = {
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  INVALID_STATE: 409,
  LIMIT_EXCEEDED: 413,
  ACTION_FAILED: 502,
  UNAVAILABLE: 503,
  QUEUE_FULL: 503,
  CLOSED: 503,
  TIMEOUT: 504,
};

/** Sends a JSON answer (and closes the connection after an error the body may still be streaming behind). */
export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** Sends a FleetError as `{ error: { code, message } }` with its status. */
export function sendError(res: ServerResponse, err: FleetError): void {
  sendJson(
    res,
    STATUS_OF[err.code],
    { error: { code: err.code, message: err.message } },
    err.code === 'LIMIT_EXCEEDED',
  );
}
