// STUN/TURN servers from the environment: the design's numbered `ICE_SERVER_n` URLs, with TURN credentials
// beside them (`ICE_USERNAME_n` / `ICE_CREDENTIAL_n`), or one JSON array `ICE_SERVERS` in the shape of the
// browser's RTCIceServer list. Both may be given; the JSON servers come first.
import type { IceServer } from '@voxwire/webrtc';
import { ConfigError } from './config-error.js';

/** Most ICE servers accepted (a browser tries each one; dozens only slow every call's gathering down). */
export const MAX_ICE_SERVERS = 16;
/** Longest `ICE_SERVERS` value accepted, characters. */
export const MAX_ICE_SERVERS_JSON = 16 * 1024;

const SCHEME = /^(stuns?|turns?):[^\s]+$/;

function checkServer(server: IceServer, variable: string): IceServer {
  const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
  if (urls.length === 0) throw new ConfigError(variable, 'an ICE server needs at least one URL');
  for (const url of urls) {
    if (typeof url !== 'string' || !SCHEME.test(url))
      throw new ConfigError(variable, `expected a stun:, stuns:, turn: or turns: URL, got "${String(url)}"`);
    // A TURN server refuses allocations without credentials: fail at start, not at the first call.
    if (url.startsWith('turn') && (!server.username || !server.credential))
      throw new ConfigError(variable, `the TURN server ${url} needs a username and a credential`);
  }
  return server;
}

function fromJson(text: string): IceServer[] {
  if (text.length > MAX_ICE_SERVERS_JSON)
    throw new ConfigError('ICE_SERVERS', `longer than ${MAX_ICE_SERVERS_JSON} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('ICE_SERVERS', `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value))
    throw new ConfigError('ICE_SERVERS', 'expected a JSON array of {"urls", "username", "credential"}');
  return value.map((entry: unknown) => {
    const e = entry as Record<string, unknown> | null;
    const urls = e?.urls;
    const okUrls =
      typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
    const okText = (v: unknown) => v === undefined || typeof v === 'string';
    if (e === null || typeof e !== 'object' || !okUrls || !okText(e.username) || !okText(e.credential))
      throw new ConfigError(
        'ICE_SERVERS',
        `expected {"urls", "username"?, "credential"?}, got ${JSON.stringify(entry)}`,
      );
    const server: IceServer = { urls: urls as string | string[] };
    if (e.username !== undefined) server.username = e.username as string;
    if (e.credential !== undefined) server.credential = e.credential as string;
    return checkServer(server, 'ICE_SERVERS');
  });
}

/**
 * The ICE servers the variables describe, in order: `ICE_SERVERS` (JSON), then `ICE_SERVER_1`, `ICE_SERVER_2`, …
 * by number, each with its `ICE_USERNAME_n` / `ICE_CREDENTIAL_n`.
 * @throws ConfigError for a malformed URL or JSON, a TURN URL without credentials, credentials without a
 *   server, or more than {@link MAX_ICE_SERVERS} servers
 */
export function iceServersFromEnv(env: Record<string, string | undefined>): IceServer[] {
  const set = (k: string) => env[k] !== undefined && env[k] !== '';
  const servers = set('ICE_SERVERS') ? fromJson(env.ICE_SERVERS as string) : [];
  const numbered = Object.keys(env)
    .filter((k) => /^ICE_SERVER_\d+$/.test(k) && set(k))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  for (const k of numbered) {
    const n = k.slice(11);
    const server: IceServer = { urls: env[k] as string };
    if (set(`ICE_USERNAME_${n}`)) server.username = env[`ICE_USERNAME_${n}`];
    if (set(`ICE_CREDENTIAL_${n}`)) server.credential = env[`ICE_CREDENTIAL_${n}`];
    servers.push(checkServer(server, k));
  }
  for (const k of Object.keys(env)) {
    const m = /^ICE_(?:USERNAME|CREDENTIAL)_(\d+)$/.exec(k);
    if (m && set(k) && !set(`ICE_SERVER_${m[1]}`)) throw new ConfigError(k, `set without ICE_SERVER_${m[1]}`);
  }
  if (servers.length > MAX_ICE_SERVERS)
    throw new ConfigError('ICE_SERVERS', `at most ${MAX_ICE_SERVERS} ICE servers, got ${servers.length}`);
  return servers;
}
