import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type DefaultEnginesOptions, defaultEngines } from './engines/defaults.js';
import type { RealtimeEngines } from './engines/types.js';
import { RealtimeServerConfigError } from './errors.js';
import type { PacingMode } from './pacer.js';
import type { RealtimeSessionConfig } from './protocol.js';
import { RealtimeSession } from './session.js';
import { defaultSegmenter, type SegmenterFactory } from './turn-detection.js';

/** Options of {@link createRealtimeServer}. */
export interface RealtimeServerOptions {
  /** Port to listen on; 0 (default) picks a free one. Ignored when `server` is given. */
  port?: number;
  /** Interface to listen on, default `127.0.0.1`. */
  host?: string;
  /** Attach to an existing HTTP(S) server instead of listening; `close()` then leaves it running. */
  server?: HttpServer | HttpsServer;
  /** Serve `wss://` with this key and certificate (PEM) when the server creates its own listener. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** WebSocket path, default `/v1/realtime` (the query string, e.g. `?model=`, is read for the model). */
  path?: string;
  /**
   * Engines for every session, or a function giving each session its own (called per connection). Missing
   * engines get the defaults: espeak-ng (or the formant voice), pocketsphinx (or none), the rule responder.
   */
  engines?: Partial<RealtimeEngines> | ((request: IncomingMessage) => Partial<RealtimeEngines>);
  /** Options for the default engines. */
  defaultEngines?: DefaultEnginesOptions;
  /**
   * Accepted API keys: upgrades without `Authorization: Bearer <key>` (or the browser subprotocol
   * `openai-insecure-api-key.<key>`) get HTTP 401. Unset: no authentication.
   */
  apiKeys?: readonly string[];
  /** `realtime` (default): audio deltas at playback speed, like the real service; `fast`: no waiting. */
  pacing?: PacingMode;
  /** Audio per `response.output_audio.delta` in ms, default 50. */
  audioChunkMs?: number;
  /** Server VAD segmenter, default @voxwire/vad's energy VAD and segmenter ({@link voxwireVadSegmenter}). */
  vad?: SegmenterFactory;
  /** Adjusts each new session's defaults before `session.created` (e.g. instructions or turn detection). */
  configureSession?: (session: RealtimeSessionConfig) => void;
  /** Largest client message in bytes, default 32 MiB (larger ones close the socket with 1009). */
  maxMessageBytes?: number;
}

/** A running server. */
export interface RealtimeServer {
  /** WebSocket URL of the endpoint, e.g. `ws://127.0.0.1:41234/v1/realtime`. */
  readonly url: string;
  /** HTTP base URL to give OpenAI SDK clients as `baseURL` (the endpoint without `/realtime`). */
  readonly baseURL: string;
  readonly port: number;
  /** Sessions currently connected. */
  readonly sessionCount: number;
  /** Closes every session (code 1001) and stops listening (unless attached to a caller's server). */
  close(): Promise<void>;
}

const DEFAULT_PATH = '/v1/realtime';

function keyMatches(candidate: string, keys: readonly string[]): boolean {
  const given = Buffer.from(candidate);
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(key);
    // Constant time per comparison; every key is compared so timing does not reveal which matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

function presentedKey(request: IncomingMessage): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const protocols = request.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith('openai-insecure-api-key.')) return t.slice('openai-insecure-api-key.'.length);
    }
  }
  return undefined;
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({
    error: { type: 'invalid_request_error', code: reason, message, param: null },
  });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Starts a local server speaking the OpenAI Realtime GA protocol over WebSocket, with offline engines.
 * Each connection is an independent session; a misbehaving client gets `error` events and never affects
 * the others.
 * @throws RealtimeServerConfigError for invalid options; rejects if the port cannot be bound
 */
export async function createRealtimeServer(options: RealtimeServerOptions = {}): Promise<RealtimeServer> {
  const path = options.path ?? DEFAULT_PATH;
  if (!path.startsWith('/')) throw new RealtimeServerConfigError(`path must start with '/', got '${path}'`);
  const pacing = options.pacing ?? 'realtime';
  if (pacing !== 'realtime' && pacing !== 'fast') {
    throw new RealtimeServerConfigError(`pacing must be 'realtime' or 'fast', got '${String(pacing)}'`);
  }
  const chunkMs = options.audioChunkMs ?? 50;
  if (!(chunkMs >= 5 && chunkMs <= 1000))
    throw new RealtimeServerConfigError(`audioChunkMs must be 5..1000, got ${chunkMs}`);
  if (options.apiKeys && options.apiKeys.length === 0) {
    throw new RealtimeServerConfigError(
      'apiKeys is empty: no client could connect; omit it to disable authentication',
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RealtimeServerConfigError(`port must be 0..65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';

  const baseEngines = defaultEngines(options.defaultEngines);
  const enginesFor = (request: IncomingMessage): RealtimeEngines => {
    const chosen = typeof options.engines === 'function' ? options.engines(request) : (options.engines ?? {});
    return { ...baseEngines, ...chosen };
  };

  const ownServer = !options.server;
  const server: HttpServer | HttpsServer =
    options.server ??
    (options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer());
  if (ownServer) {
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Connect with a WebSocket to ${path}` } }));
    });
  }
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 32 * 1024 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
  });
  const sessions = new Map<WebSocket, RealtimeSession>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // `//x:abc` is no URL: parsing it must not throw out of the upgrade handler (that kills the process).
    const url = URL.canParse(request.url ?? '/', 'http://localhost')
      ? new URL(request.url ?? '/', 'http://localhost')
      : new URL('http://localhost/%invalid%');
    if (url.pathname !== path) {
      // Another upgrade handler on a shared server may own this path.
      if (ownServer) reject(socket, 404, 'not_found', `No Realtime endpoint at ${url.pathname}; use ${path}`);
      return;
    }
    if (options.apiKeys) {
      const key = presentedKey(request);
      if (!key || !keyMatches(key, options.apiKeys)) {
        reject(
          socket,
          401,
          'invalid_api_key',
          key
            ? 'Incorrect API key provided.'
            : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        );
        return;
      }
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new RealtimeSession({
        model: url.searchParams.get('model') ?? 'gpt-realtime',
        engines: enginesFor(request),
        pacing,
        chunkMs,
        segmenter: options.vad ?? defaultSegmenter,
        configure: options.configureSession,
        send: (json) => {
          if (ws.readyState === ws.OPEN) ws.send(json);
        },
      });
      sessions.set(ws, session);
      ws.on('message', (data, isBinary) => {
        session.handleMessage(isBinary ? '' : data.toString(), isBinary);
      });
      ws.on('close', () => {
        session.close();
        sessions.delete(ws);
      });
      ws.on('error', () => {
        // A broken client socket only ends its own session ('close' follows).
      });
      session.start();
    });
  };
  server.on('upgrade', onUpgrade);

  if (ownServer) {
    await new Promise<void>((resolve, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(port, host, () => {
        server.off('error', rejectListen);
        resolve();
      });
    });
  }
  const address = server.address() as AddressInfo | null;
  if (!address)
    throw new RealtimeServerConfigError('the given server is not listening yet: call listen() first');
  const secure = options.tls !== undefined || 'setSecureContext' in server;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `${hostForUrl}:${address.port}`;
  const baseURL = `${secure ? 'https' : 'http'}://${origin}${path.replace(/\/realtime$/, '') || '/'}`;

  return {
    url: `${secure ? 'wss' : 'ws'}://${origin}${path}`,
    baseURL,
    port: address.port,
    get sessionCount() {
      return sessions.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      for (const [ws, session] of sessions) {
        session.close();
        ws.close(1001, 'server closing');
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownServer) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Sockets that do not finish the close handshake must not keep the process alive.
          for (const ws of sessions.keys()) ws.terminate();
          server.closeAllConnections?.();
        });
      }
    },
  };
}
