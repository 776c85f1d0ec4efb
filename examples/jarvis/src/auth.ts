import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { JarvisError } from './errors.js';

/** Who a bearer token belongs to. Admins may also enable and disable plugins. */
export interface Principal {
  userId: string;
  role: 'user' | 'admin';
}

/** WebSocket subprotocol carrying the token from browsers (which cannot set headers): `bearer.<token>`. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';
/** The subprotocol the services answer with. */
export const JARVIS_PROTOCOL = 'jarvis';

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9._~-]{16,256}$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Bearer tokens → users. Tokens are secrets issued by configuration, not user ids: the design sent
 * `Authorization: Bearer user123`, which lets anyone who knows a user id act as that user.
 * Tokens are kept as SHA-256 digests and compared in constant time.
 */
export class TokenStore {
  private readonly entries: { hash: Buffer; principal: Principal }[] = [];

  /** Adds a token for `userId`. Throws on a malformed user id or token (16–256 URL-safe characters). */
  add(token: string, userId: string, role: Principal['role'] = 'user'): this {
    if (!USER_ID.test(userId))
      throw new JarvisError('BAD_REQUEST', `invalid user id ${JSON.stringify(userId)}`);
    if (!TOKEN.test(token)) throw new JarvisError('BAD_REQUEST', 'tokens are 16-256 URL-safe characters');
    this.entries.push({ hash: digest(token), principal: { userId, role } });
    return this;
  }

  /** Creates a random token for `userId` and returns it. */
  issue(userId: string, role: Principal['role'] = 'user'): string {
    const token = randomBytes(24).toString('base64url');
    this.add(token, userId, role);
    return token;
  }

  /** The principal of `token`, or undefined. */
  verify(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const h = digest(token);
    let found: Principal | undefined;
    // Look at every entry so the time does not depend on which one matches.
    for (const e of this.entries) if (timingSafeEqual(e.hash, h)) found = e.principal;
    return found;
  }

  /**
   * Parses `JARVIS_TOKENS`-style text: comma-separated `user:token` or `user:token:admin` entries.
   */
  static parse(text: string): TokenStore {
    const store = new TokenStore();
    for (const entry of text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [user, token, role] = entry.split(':');
      if (!user || !token || (role !== undefined && role !== 'admin' && role !== 'user')) {
        throw new JarvisError('BAD_REQUEST', `JARVIS_TOKENS entry must be user:token[:admin], got ${entry}`);
      }
      store.add(token, user, role === 'admin' ? 'admin' : 'user');
    }
    return store;
  }
}

/** The bearer token of a request: `Authorization: Bearer <t>` or the `bearer.<t>` WebSocket subprotocol. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols) {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (p.startsWith(BEARER_PROTOCOL_PREFIX)) return p.slice(BEARER_PROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

/** Authenticates a request or throws `unauthorized`. */
export function authenticate(tokens: TokenStore, req: IncomingMessage): Principal {
  const principal = tokens.verify(bearerToken(req));
  if (!principal) throw new JarvisError('UNAUTHORIZED', 'missing or invalid bearer token');
  return principal;
}

/** Throws `forbidden` unless `principal` is `userId` (a user may only open their own sessions). */
export function requireSameUser(principal: Principal, userId: string): void {
  if (principal.userId !== userId) {
    throw new JarvisError('FORBIDDEN', `this token belongs to another user than ${userId}`);
  }
}
