// Arnold's server: one HTTP port with the realtime session endpoints, the WebSocket /realtime/stream, the
// older one-shot audio endpoints, /metrics and a minimal web page.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PacingMode, RealtimeEngines } from '@voxwire/realtime-server';
import { WebSocketServer } from 'ws';
import { AudioEndpointError, handleAudioEndpoint } from './audio-endpoints.js';
import { type RealtimeBackend, startBackend } from './backend.js';
import { AUDIO_FORMAT, type RECONNECT } from './config.js';
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

const MAX_BODY = 16 * 1024 * 1024;
const PAGE = new URL('../public/index.html', import.meta.url);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new AudioEndpointError(413, `Request body larger than ${MAX_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts Arnold: opens the database, the realtime backend and the HTTP/WebSocket server. */
export async function startArnold(opts: ArnoldOptions = {}): Promise<Arnold> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const store = await WorkoutStore.open({ path: opts.dbPath ?? 'arnold.db' });
  const backend = await startBackend({
    openaiApiKey: opts.openaiApiKey,
    openaiUrl: opts.openaiUrl,
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
    reconnect: opts.reconnect,
    heartbeatMs: opts.heartbeatMs,
    log,
  };

  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = `${req.method} ${path}`;
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
    if (route === 'GET /health')
      return json(res, 200, {
        status: 'ok',
        backend: backend.kind,
        sessions: sessions.size,
        workouts: store.count(),
      });
    if (route === 'GET /' || route === 'GET /index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(readFileSync(PAGE));
      return;
    }
    if (req.method === 'POST' && path.startsWith('/audio/')) {
      readBody(req)
        .then((body) => handleAudioEndpoint(path, req, body, deps))
        .then(
          (result) => json(res, 200, result),
          (err: Error) =>
            err instanceof AudioEndpointError
              ? json(res, err.status, { error: err.message })
              : json(res, 500, { error: err.message }),
        );
      return;
    }
    json(res, 404, { error: `No route ${route}` });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/realtime/stream') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
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
    http.listen(opts.port ?? 8000, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    backend,
    store,
    sessions,
    metrics,
    async close() {
      for (const s of sessions) s.close(1001, 'server shutting down');
      await Promise.all([...sessions].map((s) => s.done));
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await backend.close();
      store.close();
    },
  };
}
