// Arnold's server: one HTTP port with the realtime session endpoints, the WebSocket /realtime/stream, the
// older one-shot audio endpoints, /metrics and a minimal web page.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeWebSocket } from '@voxwire/core';
import type { PacingMode, RealtimeEngines } from '@voxwire/realtime-server';
import { WebSocketServer } from 'ws';
import { AudioEndpointError, handleAudioEndpoint } from './audio-endpoints.js';
import { ARNOLD_PROTOCOL, TokenCheck } from './auth.js';
import { type RealtimeBackend, startBackend } from './backend.js';
import { AUDIO_FORMAT, type RECONNECT, type VadSettings, vadSettings } from './config.js';
import { type ArnoldLimits, DEFAULT_LIMITS } from './limits.js';
import { MetricsRegistry } from './metrics.js';
import { ArnoldSession } from './session.js';
import { WorkoutStore } from './store.js';

/** Options of {@link startArnold}. */
export interface ArnoldOptions {
  /** HTTP port (0 = any free port). Default 8000. */
  port?: number;
  host?: string;
  /** SQLite database file. Default `./arnold.db`. */
  dbPath?: string;
  /** Use OpenAI's Realtime API with this key instead of the embedded local server. */
  openaiApiKey?: string;
  /** Realtime endpoint for the key (Azure, a proxy); default OpenAI's. */
  openaiUrl?: string;
  /** Voice of the agent. Default `alloy`. */
  voice?: string;
  /** Realtime model (sent as `?model=`). Default `gpt-realtime`. */
  model?: string;
  /** Server VAD of the sessions; unset fields keep the design's (threshold 0.5, silence 200 ms, prefix 300 ms). */
  vad?: Partial<VadSettings>;
  /** Local server pacing: `realtime` (default) or `fast` (tests). */
  pacing?: PacingMode;
  /** Local speech recognition: Arnold's command grammar (default) or open vocabulary. */
  recognition?: 'grammar' | 'open';
  /** Engines of the local server (tests may skip speech recognition). */
  engines?: Partial<RealtimeEngines>;
  /** Ping interval towards clients; a client that has not answered the previous ping is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** Reconnect policy of the realtime sessions. Default: the design's. */
  reconnect?: typeof RECONNECT;
  /**
   * Bearer token every route but `GET /health` and the page requires (`ARNOLD_TOKEN`). Unset: Arnold is
   * unauthenticated and says so at startup.
   */
  token?: string;
  /**
   * Serve HTTPS and WSS with this PEM certificate and key (`ARNOLD_TLS_CERT` / `ARNOLD_TLS_KEY` paths): a
   * browser on another machine gets the microphone only on a secure (https) page.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Limits on what clients may ask for (see the README's "Limits"); unset fields get the defaults. */
  limits?: Partial<ArnoldLimits>;
  log?: (line: string) => void;
}

/** A running Arnold server. */
export interface Arnold {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly backend: RealtimeBackend;
  readonly store: WorkoutStore;
  readonly sessions: ReadonlySet<ArnoldSession>;
  readonly metrics: MetricsRegistry;
  close(): Promise<void>;
}

const PAGE = new URL('../public/index.html', import.meta.url);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers a refused WebSocket upgrade with an HTTP status and a JSON error, then closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Path of a request without its query string, or undefined when the target is no URL (`//x:abc`). */
function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > max)
    throw new AudioEndpointError('LIMIT_EXCEEDED', `Request body larger than ${max} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new AudioEndpointError('LIMIT_EXCEEDED', `Request body larger than ${max} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts Arnold: opens the database, the realtime backend and the HTTP/WebSocket server. */
export async function startArnold(opts: ArnoldOptions = {}): Promise<Arnold> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const limits: ArnoldLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const auth = new TokenCheck(opts.token);
  const host = opts.host ?? '127.0.0.1';
  const vad = vadSettings(opts.vad);
  const store = await WorkoutStore.open({ path: opts.dbPath ?? 'arnold.db' });
  const backend = await startBackend({
    openaiApiKey: opts.openaiApiKey,
    openaiUrl: opts.openaiUrl,
    model: opts.model,
    pacing: opts.pacing,
    engines: opts.engines,
    recognition: opts.recognition,
  });
  const metrics = new MetricsRegistry();
  const sessions = new Set<ArnoldSession>();
  const deps = {
    backend,
    store,
    metrics,
    voice: opts.voice,
    vad,
    reconnect: opts.reconnect,
    heartbeatMs: opts.heartbeatMs,
    maxQueuedTexts: limits.maxQueuedTexts,
    limits,
    log,
  };
  let audioJobs = 0;

  const serverOptions = {
    connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 2)),
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (err) {
      log(`internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? err}`);
      json(res, 500, { error: 'Internal error.' });
    }
  };
  // An https.Server is an http.Server (a subclass): everything below works on either.
  const http: Server = opts.tls
    ? createHttpsServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest)
    : createServer(serverOptions, onRequest);
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = limits.requestTimeoutMs;
  // Requests arriving while shutting down.
  let closing = false;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req);
    if (path === undefined) return json(res, 400, { error: 'The request target is not a valid URL path.' });
    const route = `${req.method} ${path}`;
    if (route === 'GET /' || route === 'GET /index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(readFileSync(PAGE));
      return;
    }
    if (route === 'GET /health')
      return json(res, 200, {
        status: closing ? 'shutting_down' : 'ok',
        backend: backend.kind,
        sessions: sessions.size,
        audio_jobs: audioJobs,
        backend_sessions: backend.sessionCount,
        workouts: store.count(),
        authenticated: auth.enabled,
      });
    if (!auth.allows(req)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(res, 401, {
        error: 'Missing or invalid bearer token (Authorization: Bearer <ARNOLD_TOKEN>).',
      });
    }
    if (route === 'POST /realtime/session/start') {
      json(res, 200, {
        status: 'ready',
        websocket_url: '/realtime/stream',
        audio_format: AUDIO_FORMAT,
        backend: backend.kind,
      });
      return;
    }
    if (route === 'GET /metrics') return json(res, 200, metrics.snapshot(backend.kind));
    if (req.method === 'POST' && path.startsWith('/audio/')) {
      if (audioJobs >= limits.maxAudioJobs) {
        req.resume();
        res.setHeader('retry-after', '1');
        return json(res, 429, {
          error: `${limits.maxAudioJobs} audio requests are already running; try again shortly.`,
        });
      }
      audioJobs++;
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      readBody(req, limits.maxBodyBytes)
        .then((body) => handleAudioEndpoint(path, body, deps, gone.signal))
        .then(
          (result) => json(res, 200, result),
          (err: Error) => {
            if (gone.signal.aborted) return; // the client left (mid-upload or mid-job): nobody to answer
            if (err instanceof AudioEndpointError) return json(res, err.status, { error: err.message });
            // Internal details stay in the log; the client gets a generic answer.
            log(`internal error on POST ${path}: ${err.stack ?? err}`);
            json(res, 500, { error: 'Internal error.' });
          },
        )
        .finally(() => {
          audioJobs--;
        });
      return;
    }
    json(res, 404, { error: `No route ${route.slice(0, 200)}` });
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(ARNOLD_PROTOCOL) ? ARNOLD_PROTOCOL : false),
  });
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const path = pathOf(req);
    if (path === undefined)
      return refuseUpgrade(socket, 400, 'Bad Request', 'The request target is not a valid URL path.');
    if (path !== '/realtime/stream')
      return refuseUpgrade(socket, 404, 'Not Found', 'The WebSocket path is /realtime/stream.');
    if (!auth.allows(req))
      return refuseUpgrade(socket, 401, 'Unauthorized', 'Missing or invalid bearer token.');
    if (closing) return refuseUpgrade(socket, 503, 'Service Unavailable', 'Arnold is shutting down.');
    if (sessions.size >= limits.maxSessions)
      return refuseUpgrade(
        socket,
        503,
        'Service Unavailable',
        `${limits.maxSessions} sessions are open, the limit; try again later.`,
      );
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ArnoldSession(ws, deps);
      sessions.add(session);
      log(`session opened (${sessions.size} active)`);
      void session.done.then(() => {
        sessions.delete(session);
        log(`session closed (${sessions.size} active)`);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8000, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!auth.enabled) {
    log(
      `WARNING: Arnold is UNAUTHENTICATED: anyone who can connect to ${url} can read and log every workout. ` +
        'Set ARNOLD_TOKEN (option token) to require a bearer token.',
    );
    if (!LOOPBACK.has(host))
      log(
        `WARNING: ${host} is not a loopback address: other machines can reach this unauthenticated server.`,
      );
  }
  return {
    url,
    port,
    backend,
    store,
    sessions,
    metrics,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      for (const s of sessions) s.close(1001, 'server shutting down');
      await Promise.all([...sessions].map((s) => s.done));
      // Clients answer the close frame within core's default grace period (2 s), else they are cut off.
      await Promise.all([...wss.clients].map((ws) => closeWebSocket(ws, 1001, 'server shutting down')));
      wss.close();
      http.closeAllConnections();
      await closed;
      await backend.close();
      store.close();
    },
  };
}
