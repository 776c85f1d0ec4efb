// Optional token authentication (like Jarvis's): with a token configured, every route but the health check
// and the static page needs `Authorization: Bearer <token>` (or, from browsers, which cannot set headers on
// a WebSocket, the subprotocol `bearer.<token>`).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** WebSocket subprotocol prefix carrying the token from browsers. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';
/** The subprotocol Arnold answers with when a client offers it. */
export const ARNOLD_PROTOCOL = 'arnold';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The bearer token of a request: the `Authorization` header, else a `bearer.<token>` subprotocol. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const space = auth.indexOf(' ');
    return space > 0 && auth.slice(0, space).toLowerCase() === 'bearer'
      ? auth.slice(space + 1).trim()
      : undefined;
  }
  const protocols = req.headers['sec-websocket-protocol'];
  for (const p of (protocols ?? '').split(',')) {
    const t = p.trim();
    if (t.startsWith(BEARER_PROTOCOL_PREFIX)) return t.slice(BEARER_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** Checks requests against one configured token, in constant time; no token configured lets everyone in. */
export class TokenCheck {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token ? digest(token) : undefined;
  }

  /** Whether a token is required. */
  get enabled(): boolean {
    return this.expected !== undefined;
  }

  /** Whether the request may pass. */
  allows(req: IncomingMessage): boolean {
    if (!this.expected) return true;
    const token = bearerToken(req);
    return token !== undefined && timingSafeEqual(digest(token), this.expected);
  }
}
