import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeOnce, closeWebSocket, emitError, type ListenOptions, type StartedServer } from '@voxwire/core';
import type { RealtimeSessionConfig } from '@voxwire/realtime-protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { type DefaultEnginesOptions, defaultEngines } from './engines/defaults.js';
import type { RealtimeEngines } from './engines/types.js';
import { RealtimeServerConfigError, RealtimeServerError } from './errors.js';
import { DEFAULT_AHEAD_SPEED, type PacingMode } from './pacer.js';
import { DEFAULT_SESSION_LIMITS, RealtimeSession } from './session.js';
import { defaultSegmenter, type SegmenterFactory } from './turn-detection.js';

/** Options of {@link createRealtimeServer}. `port` (default 0: a free one) and `host` (default `127.0.0.1`) are ignored when `server` is given. */
export interface RealtimeServerOptions extends ListenOptions {
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
  /**
   * `ahead` (default): audio deltas faster than playback ({@link RealtimeServerOptions.aheadSpeed}), like the
   * real service, so clients hold seconds of audio when the user barges in; `realtime`: at playback speed;
   * `fast`: no waiting.
   */
  pacing?: PacingMode;
  /** Playback speeds sent per second in `ahead` pacing, default 4. */
  aheadSpeed?: number;
  /** Audio per `response.output_audio.delta` in ms, default 50. */
  audioChunkMs?: number;
  /** Server VAD segmenter, default @voxwire/vad's energy VAD and segmenter ({@link voxwireVadSegmenter}). */
  vad?: SegmenterFactory;
  /** Adjusts each new session's defaults before `session.created` (e.g. instructions or turn detection). */
  configureSession?: (session: RealtimeSessionConfig) => void;
  /** Largest client message in bytes, default 32 MiB (larger ones close the socket with 1009). */
  maxMessageBytes?: number;
  /** Open sessions at once, default 256; further upgrades get HTTP 503 `too_many_connections`. */
  maxConnections?: number;
  /**
   * Bytes queued toward one client that is not reading, default 16 MiB: beyond, the session ends and the
   * socket closes with 1008 (terminated if the close cannot be delivered within `closeTimeoutMs`).
   */
  maxBufferedBytes?: number;
  /**
   * Ping interval in ms, default 30 000 (0: off): a client that has not answered the previous ping (a dead
   * peer, or one stalled in the middle of a frame) is disconnected.
   */
  heartbeatMs?: number;
  /** Time for a client to finish its HTTP upgrade request (and TLS handshake), default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** Time a closing socket gets to finish the close handshake before it is cut, default 5000 ms. */
  closeTimeoutMs?: number;
  /** Items per conversation, default 1000 (client items beyond: `conversation_items_limit`). */
  maxItems?: number;
  /** Audio per conversation item in ms, default 300 000 (5 min; client items beyond: `item_audio_too_long`). */
  maxItemAudioMs?: number;
  /** Audio kept per conversation in ms, default 300 000 (5 min); beyond, the oldest items' audio goes. */
  maxConversationAudioMs?: number;
}

/** Events of a {@link RealtimeServer}. */
export interface RealtimeServerEvents {
  /**
   * Something failed outside any one client's fault, e.g. the `engines` function threw for a connection
   * (that connection was refused with 1011; the server goes on). With no listener it is a process warning.
   */
  error: [RealtimeServerError];
}

/**
 * A running server (a `StartedServer` of @voxwire/core, and a typed `EventEmitter`): listening once
 * `createRealtimeServer` resolves; `close()` (or `await using`) closes every session with 1001 and stops
 * listening (unless attached to a caller's server).
 */
export interface RealtimeServer extends StartedServer, EventEmitter<RealtimeServerEvents> {
  /** WebSocket URL of the endpoint, e.g. `ws://127.0.0.1:41234/v1/realtime`. */
  readonly url: string;
  /** HTTP base URL to give OpenAI SDK clients as `baseURL` (the endpoint without `/realtime`). */
  readonly baseURL: string;
  /** The port it listens on (the real one when `port: 0` was asked). */
  readonly port: number;
  /** Sessions currently connected. */
  readonly sessionCount: number;
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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  503: 'Service Unavailable',
};

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({
    error: { type: 'invalid_request_error', code: reason, message, param: null },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n` +
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
  if (!path.startsWith('/'))
    throw new RealtimeServerConfigError('INVALID_ARGUMENT', `path must start with '/', got '${path}'`);
  const pacing = options.pacing ?? 'ahead';
  if (pacing !== 'ahead' && pacing !== 'realtime' && pacing !== 'fast') {
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      `pacing must be 'ahead', 'realtime' or 'fast', got '${String(pacing)}'`,
    );
  }
  const aheadSpeed = positive('aheadSpeed', options.aheadSpeed, DEFAULT_AHEAD_SPEED);
  const maxConnections = positive('maxConnections', options.maxConnections, 256);
  const maxBufferedBytes = positive('maxBufferedBytes', options.maxBufferedBytes, 16 * 1024 * 1024);
  const heartbeatMs = options.heartbeatMs === 0 ? 0 : positive('heartbeatMs', options.heartbeatMs, 30_000);
  const handshakeTimeoutMs = positive('handshakeTimeoutMs', options.handshakeTimeoutMs, 10_000);
  const closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs, 5000);
  const limits = {
    maxItems: positive('maxItems', options.maxItems, DEFAULT_SESSION_LIMITS.maxItems),
    maxItemAudioMs: positive('maxItemAudioMs', options.maxItemAudioMs, DEFAULT_SESSION_LIMITS.maxItemAudioMs),
    maxConversationAudioMs: positive(
      'maxConversationAudioMs',
      options.maxConversationAudioMs,
      DEFAULT_SESSION_LIMITS.maxConversationAudioMs,
    ),
  };
  const chunkMs = options.audioChunkMs ?? 50;
  if (!(chunkMs >= 5 && chunkMs <= 1000))
    throw new RealtimeServerConfigError('INVALID_ARGUMENT', `audioChunkMs must be 5..1000, got ${chunkMs}`);
  if (options.apiKeys && options.apiKeys.length === 0) {
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      'apiKeys is empty: no client could connect; omit it to disable authentication',
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RealtimeServerConfigError('INVALID_ARGUMENT', `port must be 0..65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';

  const baseEngines = defaultEngines(options.defaultEngines);
  const enginesFor = (request: IncomingMessage): RealtimeEngines => {
    const chosen = typeof options.engines === 'function' ? options.engines(request) : (options.engines ?? {});
    return { ...baseEngines, ...chosen };
  };

  const ownServer = !options.server;
  // Slow or stalled upgrade requests (and TLS handshakes) are cut after handshakeTimeoutMs.
  const timeouts = {
    headersTimeout: handshakeTimeoutMs,
    requestTimeout: handshakeTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, handshakeTimeoutMs),
  };
  const server: HttpServer | HttpsServer =
    options.server ??
    (options.tls
      ? createHttpsServer({
          key: options.tls.key,
          cert: options.tls.cert,
          handshakeTimeout: handshakeTimeoutMs,
          ...timeouts,
        })
      : createHttpServer(timeouts));
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
  const running = new RunningRealtimeServer(sessions);
  /** Sockets from which nothing (no pong, no data) arrived since the last ping. */
  const unanswered = new Set<WebSocket>();
  /** Upgrades accepted but not yet open: counted against maxConnections. */
  let opening = 0;

  /** Ends `ws`'s session and closes it with `code`; cut if the close frame cannot be delivered in time. */
  const closeSocket = (ws: WebSocket, code: number, reason: string): Promise<void> => {
    sessions.get(ws)?.close();
    return closeWebSocket(ws, code, reason, closeTimeoutMs);
  };

  const heartbeat =
    heartbeatMs > 0
      ? setInterval(() => {
          // Decided after the poll phase (setImmediate), so a pong that arrived while the event loop was busy
          // is read before anyone is judged silent.
          setImmediate(() => {
            for (const ws of sessions.keys()) {
              if (unanswered.has(ws)) {
                ws.terminate();
                continue;
              }
              unanswered.add(ws);
              ws.ping();
            }
          });
        }, heartbeatMs)
      : undefined;
  heartbeat?.unref();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      // e.g. `GET //host:99999`: an unparsable target must not throw out of the upgrade handler.
      reject(socket, 400, 'invalid_url', 'The request target is not a valid URL.');
      return;
    }
    if (url.pathname !== path) {
      // Another upgrade handler on a shared server may own this path.
      if (ownServer) reject(socket, 404, 'not_found', `No Realtime endpoint at ${url.pathname}; use ${path}`);
      return;
    }
    const intent = url.searchParams.get('intent');
    if (intent !== null && intent !== 'transcription') {
      reject(socket, 400, 'invalid_intent', `Unknown intent '${intent.slice(0, 40)}': use 'transcription'.`);
      return;
    }
    if (sessions.size + opening >= maxConnections) {
      reject(
        socket,
        503,
        'too_many_connections',
        `The server holds its limit of ${maxConnections} sessions; try again later.`,
      );
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
    opening++;
    let counted = true;
    const settle = () => {
      if (counted) opening--;
      counted = false;
    };
    // A handshake ws refuses destroys the socket without calling back.
    socket.once('close', settle);
    wss.handleUpgrade(request, socket, head, (ws) => {
      settle();
      // Any bytes from the client show it is alive: one busy uploading cannot answer a ping at once (its
      // pong queues behind its data), while one stalled mid-frame sends nothing.
      socket.on('data', () => unanswered.delete(ws));
      let engines: RealtimeEngines;
      try {
        engines = enginesFor(request);
      } catch (err) {
        // The caller's engines function failed for this connection: it alone is refused.
        ws.close(1011, 'could not start a session');
        emitError(
          running,
          new RealtimeServerError(
            'ENGINE_FAILED',
            `the engines function threw for a connection: ${(err as Error)?.message ?? String(err)}`,
            { cause: err },
          ),
        );
        return;
      }
      const session = new RealtimeSession({
        model: url.searchParams.get('model') ?? 'gpt-realtime',
        kind: intent === 'transcription' ? 'transcription' : 'realtime',
        engines,
        pacing,
        aheadSpeed,
        chunkMs,
        limits,
        segmenter: options.vad ?? defaultSegmenter,
        configure: options.configureSession,
        send: (json) => {
          if (ws.readyState !== ws.OPEN) return;
          // A client that does not read must not make the server queue without bound.
          if (ws.bufferedAmount > maxBufferedBytes) {
            void closeSocket(ws, 1008, `client is not reading: over ${maxBufferedBytes} bytes queued`);
            return;
          }
          ws.send(json);
        },
      });
      sessions.set(ws, session);
      ws.on('message', (data, isBinary) => {
        session.handleMessage(isBinary ? '' : data.toString(), isBinary);
      });
      ws.on('pong', () => unanswered.delete(ws));
      ws.on('close', () => {
        session.close();
        sessions.delete(ws);
        unanswered.delete(ws);
      });
      ws.on('error', () => {
        // A protocol error (e.g. a message over maxMessageBytes: 1009) only ends this session; ws has sent
        // the close frame and no longer reads, so the socket is cut if the peer does not close in time.
        void closeSocket(ws, 1002, 'protocol error');
      });
      session.start();
    });
  };
  server.on('upgrade', onUpgrade);

  /** A server that did not start leaves nothing behind: no timer, no handler on the caller's server. */
  const abandon = () => {
    if (heartbeat) clearInterval(heartbeat);
    server.off('upgrade', onUpgrade);
  };
  if (ownServer) {
    await new Promise<void>((resolve, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(port, host, () => {
        server.off('error', rejectListen);
        resolve();
      });
    }).catch((err: unknown) => {
      abandon();
      throw err;
    });
  }
  const address = server.address() as AddressInfo | null;
  if (!address) {
    abandon();
    throw new RealtimeServerConfigError(
      'INVALID_STATE',
      'the given server is not listening yet: call listen() first',
    );
  }
  const secure = options.tls !== undefined || 'setSecureContext' in server;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `${hostForUrl}:${address.port}`;
  const baseURL = `${secure ? 'https' : 'http'}://${origin}${path.replace(/\/realtime$/, '') || '/'}`;

  const close = closeOnce(async () => {
    server.off('upgrade', onUpgrade);
    if (heartbeat) clearInterval(heartbeat);
    // 1001 to every client after what is already queued for it; each gets closeTimeoutMs to answer.
    await Promise.all([...sessions.keys()].map((ws) => closeSocket(ws, 1001, 'server closing')));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (ownServer) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    }
  });
  running.started(`${secure ? 'wss' : 'ws'}://${origin}${path}`, baseURL, address.port, close);
  return running;
}

/** The object `createRealtimeServer` resolves with: filled in once it listens. */
class RunningRealtimeServer extends EventEmitter<RealtimeServerEvents> implements RealtimeServer {
  url = '';
  baseURL = '';
  port = 0;
  private closer: () => Promise<void> = async () => {};

  constructor(private readonly sessions: ReadonlyMap<unknown, unknown>) {
    super();
  }

  started(url: string, baseURL: string, port: number, close: () => Promise<void>): void {
    this.url = url;
    this.baseURL = baseURL;
    this.port = port;
    this.closer = close;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  close(): Promise<void> {
    return this.closer();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.closer();
  }
}

/** An optional positive number option, or its default. */
function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
    throw new RealtimeServerConfigError(
      'INVALID_ARGUMENT',
      `${name} must be a positive number, got ${String(value)}`,
    );
  return value;
}
