// The realtime backend Arnold's sessions talk to: the embedded @voxwire/realtime-server (default, offline)
// with Arnold's responder, or OpenAI when an API key is given.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  createRealtimeServer,
  type PacingMode,
  PocketsphinxTranscriber,
  type RealtimeEngines,
  type RealtimeServer,
} from '@voxwire/realtime-server';
import { DEFAULT_MODEL } from './config.js';
import { ArnoldResponder } from './responder.js';

/** Where RealtimeClients connect. */
export interface RealtimeBackend {
  /** `local` (embedded server) or `openai`. */
  readonly kind: 'local' | 'openai';
  /** WebSocket URL: the local server's, or `undefined` for OpenAI's default endpoint. */
  readonly url: string | undefined;
  readonly apiKey: string | undefined;
  /** Model asked for in the connection URL (`?model=`). */
  readonly model: string;
  /** Realtime sessions open on the local server (0 for OpenAI: not known). */
  readonly sessionCount: number;
  /** Drops every open backend connection (the local server keeps listening): simulates a network failure. */
  dropConnections(): number;
  close(): Promise<void>;
}

/** Options of {@link startBackend}. */
export interface BackendOptions {
  openaiApiKey?: string;
  /** Realtime endpoint used with the key (Azure, a proxy); default OpenAI's `wss://api.openai.com/v1/realtime`. */
  openaiUrl?: string;
  /** Model (default `gpt-realtime`). */
  model?: string;
  /** Local server pacing: `realtime` for people, `fast` for tests. */
  pacing?: PacingMode;
  /** Override engines of the local server (e.g. a NullTranscriber). The responder defaults to Arnold's. */
  engines?: Partial<RealtimeEngines>;
  /**
   * Speech recognition of the local server: `grammar` (default) restricts pocketsphinx to Arnold's commands
   * (grammar/arnold.gram), which it then recognises well; `open` uses its general English model, which
   * understands anything poorly. Ignored when pocketsphinx is not installed or `engines.transcriber` is set.
   */
  recognition?: 'grammar' | 'open';
}

/** Where the embedded realtime server listens (its default path). */
const REALTIME_PATH = '/v1/realtime';

/** Pocketsphinx limited to Arnold's command grammar and its word list. */
export function grammarTranscriber(): PocketsphinxTranscriber {
  const file = (name: string) => fileURLToPath(new URL(`../grammar/${name}`, import.meta.url));
  return new PocketsphinxTranscriber({ args: ['-jsgf', file('arnold.gram'), '-dict', file('arnold.dict')] });
}

/** Starts the local realtime server on a loopback port, or describes OpenAI. */
export async function startBackend(opts: BackendOptions): Promise<RealtimeBackend> {
  if (opts.openaiApiKey) {
    return {
      kind: 'openai',
      url: opts.openaiUrl,
      apiKey: opts.openaiApiKey,
      model: opts.model ?? DEFAULT_MODEL,
      sessionCount: 0,
      dropConnections: () => 0,
      close: async () => {},
    };
  }
  // Our own listener, so connections can be tracked (and dropped) without touching the package.
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  // The realtime server answers upgrades on its path only (the listener may be shared): answer the rest, so
  // no socket is left open unanswered.
  http.on('upgrade', (req, socket) => {
    socket.on('error', () => {});
    // After the realtime server's own listener: it may have answered already (e.g. 400 for `//x:abc`).
    setImmediate(() => {
      if (socket.writableEnded || socket.destroyed) return;
      const url = URL.canParse(req.url ?? '/', 'http://x') ? new URL(req.url ?? '/', 'http://x') : undefined;
      if (url?.pathname !== REALTIME_PATH)
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  const sockets = new Set<Socket>();
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  let server: RealtimeServer;
  try {
    server = await createRealtimeServer({
      server: http,
      path: REALTIME_PATH,
      pacing: opts.pacing ?? 'realtime',
      engines: {
        responder: new ArnoldResponder(),
        ...(opts.recognition !== 'open' && PocketsphinxTranscriber.isInstalled()
          ? { transcriber: grammarTranscriber() }
          : {}),
        ...opts.engines,
      },
    });
  } catch (err) {
    http.close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  return {
    kind: 'local',
    url: `ws://127.0.0.1:${port}${REALTIME_PATH}`,
    apiKey: undefined,
    model: opts.model ?? DEFAULT_MODEL,
    get sessionCount() {
      return server.sessionCount;
    },
    dropConnections() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    async close() {
      await server.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
