import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { asJarvisError, JarvisError } from './errors.js';

/**
 * Reads a JSON object body of at most `limit` bytes (an empty body is `{}`); bad JSON, another JSON value
 * (`null`, a number, an array) or too much → `JarvisError` (400/413).
 */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<Record<string, unknown>> {
  if (Number(req.headers['content-length']) > limit)
    throw new JarvisError('PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new JarvisError('PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new JarvisError('BAD_REQUEST', 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new JarvisError('BAD_REQUEST', 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an error as `{ error: { code, message } }` (anything not a JarvisError is a generic 500). */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = asJarvisError(err);
  const status = e.status;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(e.toJSON()));
}

/** Refuses a WebSocket upgrade with an HTTP status and a JSON error, then closes the socket. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = asJarvisError(err);
  const body = JSON.stringify(e.toJSON());
  socket.end(
    `HTTP/1.1 ${e.status} ${e.wireCode}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Path of a request without its query string; a request target that is no URL (`//x:abc`) is a 400. */
export function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    throw new JarvisError('BAD_REQUEST', 'the request target is not a valid URL path');
  }
}
