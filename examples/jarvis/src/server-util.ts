import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeWebSocket } from '@voxwire/core';
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
import type { ServiceLimits } from './limits.js';

/** Options of {@link acceptUserSockets}. */
export interface UserSocketOptions {
  tokens: TokenStore;
  /** Path pattern whose first group is the user id, e.g. `/^\/ws\/([^/]+)$/`. */
  path: RegExp;
  /** Shown in the 404 for other paths. */
  pathHint: string;
  maxPayload: number;
  /** Connection caps and heartbeat. */
  limits: ServiceLimits;
  /** A socket authenticated for the user in its path. */
  onSocket(ws: WebSocket, who: Principal, token: string): void;
}

/**
 * Accepts WebSockets on `server` whose path names the token's own user; anything else is refused before the
 * handshake with a JSON error (401 bad token, 403 another user's path, 404 unknown path, 429 too many
 * sockets of this user, 503 too many sockets or shutting down). Every socket is pinged every
 * `heartbeatMs`; one that did not answer the previous ping (gone, or stalled mid-frame) is cut.
 */
export function acceptUserSockets(server: Server, options: UserSocketOptions): WebSocketServer {
  const { limits } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    handleProtocols: (protocols) => (protocols.has(JARVIS_PROTOCOL) ? JARVIS_PROTOCOL : false),
  });
  const perUser = new Map<string, number>();
  const alive = new WeakSet<WebSocket>();
  let closing = false;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      const m = options.path.exec(pathOf(req));
      if (!m) throw new JarvisError('NOT_FOUND', `WebSocket path is ${options.pathHint}`);
      const who = authenticate(options.tokens, req);
      let pathUser: string;
      try {
        pathUser = decodeURIComponent(m[1]);
      } catch {
        throw new JarvisError('BAD_REQUEST', 'the user id in the path is not valid percent-encoding');
      }
      requireSameUser(who, pathUser);
      if (closing) throw new JarvisError('UNAVAILABLE', 'the service is shutting down');
      if (wss.clients.size >= limits.maxConnections)
        throw new JarvisError('UNAVAILABLE', `${limits.maxConnections} connections are open, the limit`);
      const mine = perUser.get(who.userId) ?? 0;
      if (mine >= limits.maxConnectionsPerUser)
        throw new JarvisError('BUSY', `${mine} connections of this user are open, the limit`);
      const token = bearerToken(req) as string;
      perUser.set(who.userId, mine + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const n = (perUser.get(who.userId) ?? 1) - 1;
        if (n > 0) perUser.set(who.userId, n);
        else perUser.delete(who.userId);
      };
      // A handshake that fails never produces a socket: give the slot back when the TCP socket goes.
      socket.once('close', release);
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.add(ws);
        ws.on('pong', () => alive.add(ws));
        ws.once('close', release);
        options.onSocket(ws, who, token);
      });
    } catch (err) {
      refuseUpgrade(socket, err);
    }
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();
  wss.on('close', () => {
    closing = true;
    clearInterval(heartbeat);
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

/**
 * An HTTP server with the request timeouts applied, so clients stalled in their headers or body are cut off
 * (checked every second, or sooner for short timeouts).
 */
export function createHttpServer(
  limits: ServiceLimits,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    { connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 2)) },
    handler,
  );
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  return server;
}

/**
 * Closes the service: stops accepting, sends every WebSocket a close frame (1001, or what the caller sent
 * already), waits up to `graceMs` for the clients to answer, cuts the rest, then closes the server.
 */
export async function shutdown(server: Server, wss: WebSocketServer, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await Promise.all([...wss.clients].map((ws) => closeWebSocket(ws, 1001, 'service shutting down', graceMs)));
  wss.close();
  server.closeAllConnections();
  await closed;
}

/** Runs `sweep` every `min(timeoutMs, 30 s)` without keeping the process alive; returns a stop function. */
export function sweepEvery(timeoutMs: number, sweep: (cutoff: number) => void): () => void {
  const timer = setInterval(() => sweep(Date.now() - timeoutMs), Math.min(timeoutMs, 30000));
  timer.unref();
  return () => clearInterval(timer);
}
