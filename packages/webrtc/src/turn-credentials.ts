import { createHmac } from 'node:crypto';
import { WebRtcError } from './errors.js';
import type { IceServer } from './peer.js';

/** Options for {@link createTurnRestCredential}. */
export interface TurnRestCredentialOptions {
  /** The shared secret configured on the TURN server (coturn: `static-auth-secret` with `use-auth-secret`). */
  secret: string;
  /** Who the credential is for; becomes the part after the colon in the username. Default `'voxwire'`. */
  user?: string;
  /** How long the credential stays valid, seconds. Default 86400 (one day). Negative values make an expired one. */
  ttlSeconds?: number;
  /** Clock, ms since the epoch. Default `Date.now()`. */
  now?: number;
}

/** A time-limited TURN credential (the "TURN REST API" scheme). */
export interface TurnRestCredential {
  /** `<expiry unix seconds>:<user>` */
  username: string;
  /** base64(HMAC-SHA1(secret, username)) */
  credential: string;
  /** When the TURN server stops accepting it. */
  expiresAt: Date;
}

/**
 * Makes a time-limited TURN credential as coturn's `use-auth-secret` (the TURN REST API draft) expects:
 * username `expiry:user` with `expiry` in unix seconds, password `base64(HMAC-SHA1(secret, username))`.
 * Give these to clients instead of the secret.
 * @throws WebRtcError `INVALID_ARGUMENT` for an empty secret, a user containing `:` or a non-finite ttl
 */
export function createTurnRestCredential(options: TurnRestCredentialOptions): TurnRestCredential {
  const { secret } = options;
  const user = options.user ?? 'voxwire';
  const ttl = options.ttlSeconds ?? 86_400;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new WebRtcError('INVALID_ARGUMENT', 'TURN REST credential: secret must be a non-empty string');
  }
  if (user.includes(':'))
    throw new WebRtcError('INVALID_ARGUMENT', 'TURN REST credential: user must not contain ":"');
  if (!Number.isFinite(ttl))
    throw new WebRtcError('INVALID_ARGUMENT', 'TURN REST credential: ttlSeconds must be finite');
  const expiry = Math.floor((options.now ?? Date.now()) / 1000 + ttl);
  const username = `${expiry}:${user}`;
  return {
    username,
    credential: createHmac('sha1', secret).update(username).digest('base64'),
    expiresAt: new Date(expiry * 1000),
  };
}

/**
 * The expiry encoded in a TURN REST API username (`<unix seconds>:<user>`), or undefined for a username of
 * another form (a static TURN user).
 */
export function turnCredentialExpiry(username: string): Date | undefined {
  const m = /^(\d{9,11})(?::|$)/.exec(username);
  return m ? new Date(Number(m[1]) * 1000) : undefined;
}

/**
 * An {@link IceServer} entry for a TURN server with a credential (static or from
 * {@link createTurnRestCredential}).
 */
export function turnIceServer(
  urls: string | string[],
  credential: { username: string; credential: string },
): IceServer {
  const list = Array.isArray(urls) ? urls : [urls];
  for (const url of list) {
    if (!/^turns?:/.test(url)) throw new WebRtcError('INVALID_ARGUMENT', `not a TURN URL: ${url}`);
  }
  return { urls, username: credential.username, credential: credential.credential };
}
