import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import {
  authenticate,
  bearerToken,
  JARVIS_PROTOCOL,
  type Principal,
  requireSameUser,
  type TokenStore,
} from './auth.js';
import { JarvisError } from './errors.js';
import { pathOf, refuseUpgrade } from './http-util.js';

/** Options of {@link acceptUserSockets}. */
export interface UserSocketOptions {
  tokens: TokenStore;
  /** Path pattern whose first group is the user id, e.g. `/^\/ws\/([^/]+)$/`. */
  path: RegExp;
  /** Shown in the 404 for other paths. */
  pathHint: string;
  maxPayload: number;
  /** A socket authenticated for the user in its path. */
  onSocket(ws: WebSocket, who: Principal, token: string): void;
}

/**
 * Accepts WebSockets on `server` whose path names the token's own user; anything else is refused before the
 * handshake with a JSON error (401 bad token, 403 another user's path, 404 unknown path).
 */
export function acceptUserSockets(server: Server, options: UserSocketOptions): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    handleProtocols: (protocols) => (protocols.has(JARVIS_PROTOCOL) ? JARVIS_PROTOCOL : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const m = options.path.exec(pathOf(req));
      if (!m) throw new JarvisError('not_found', `WebSocket path is ${options.pathHint}`);
      const who = authenticate(options.tokens, req);
      requireSameUser(who, decodeURIComponent(m[1]));
      const token = bearerToken(req) as string;
      wss.handleUpgrade(req, socket, head, (ws) => options.onSocket(ws, who, token));
    } catch (err) {
      refuseUpgrade(socket, err);
    }
  });
  return wss;
}

/** Listens and returns the URL and port (port 0 picks a free one). */
export async function listen(
  server: Server,
  port: number,
  host: string,
): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound };
}

/** Closes sockets and the server. */
export async function shutdown(server: Server, wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Runs `sweep` every `min(timeoutMs, 30 s)` without keeping the process alive; returns a stop function. */
export function sweepEvery(timeoutMs: number, sweep: (cutoff: number) => void): () => void {
  const timer = setInterval(() => sweep(Date.now() - timeoutMs), Math.min(timeoutMs, 30000));
  timer.unref();
  return () => clearInterval(timer);
}
