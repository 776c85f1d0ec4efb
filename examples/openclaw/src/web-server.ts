// The two listeners OpenClaw opens (the web page + signaling, and the Twilio side), plain or TLS. A browser on
// another machine only gets a microphone on a secure origin, so a real deployment gives TLS_CERT / TLS_KEY
// (or puts a TLS reverse proxy in front and sets SIGNALING_URL).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { OpenClawConfig } from './config.js';

/** A listening web server and the base URLs it answers on. */
export interface WebServer {
  server: Server;
  /** `http(s)://host:port` */
  httpUrl: string;
  /** `ws(s)://host:port` */
  wsUrl: string;
  close(): Promise<void>;
}

/** Default of {@link startWebServer}'s `handshakeTimeoutMs`. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Starts an http server, or an https one when `tls` is set (the files are read now: a missing or unreadable
 * one throws here, at start).
 * @param handshakeTimeoutMs - how long a connection may take to finish its TLS handshake and send its request
 *   headers, and how long it may then stay silent (a WebSocket upgrade lifts the last limit), before it is
 *   closed: a client that connects and stalls cannot hold a socket for long
 */
export async function startWebServer(
  tls: OpenClawConfig['tls'],
  host: string,
  port: number,
  handler: RequestListener,
  handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS,
): Promise<WebServer> {
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: readFileSync(tls.certPath),
          key: readFileSync(tls.keyPath),
          handshakeTimeout: handshakeTimeoutMs,
        },
        handler,
      )
    : createHttpServer(handler);
  server.headersTimeout = handshakeTimeoutMs;
  server.requestTimeout = handshakeTimeoutMs;
  server.timeout = handshakeTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  // A wildcard listener is reachable on loopback; an IPv6 address needs brackets in a URL.
  const shown =
    addr.address === '0.0.0.0' || addr.address === '::'
      ? '127.0.0.1'
      : addr.family === 'IPv6'
        ? `[${addr.address}]`
        : addr.address;
  const s = tls ? 's' : '';
  return {
    server,
    httpUrl: `http${s}://${shown}:${addr.port}`,
    wsUrl: `ws${s}://${shown}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
