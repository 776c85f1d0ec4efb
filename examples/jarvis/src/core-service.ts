import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { authenticate, type Principal, type TokenStore } from './auth.js';
import { type ChatReply, handleChat, SMALL_TALK_PHRASES } from './chat.js';
import { asJarvisError, JarvisError } from './errors.js';
import { pathOf, readJson, sendError, sendJson } from './http-util.js';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from './limits.js';
import { defaultPlugins } from './plugins/index.js';
import type { PluginManager } from './plugins/manager.js';
import { acceptUserSockets, createHttpServer, listen, shutdown, sweepEvery } from './server-util.js';

/** Options of {@link startCoreService}. */
export interface CoreServiceOptions {
  tokens: TokenStore;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Base URL of the audio service (`http://127.0.0.1:8001`); can also be set later with `setAudioUrl`. */
  audioUrl?: string;
  /** The audio service's URL as browsers should reach it, when it differs from `audioUrl`. */
  publicAudioUrl?: string;
  /** Plugins (default: weather, time, calc, notes). */
  plugins?: PluginManager;
  /** Idle time after which a user's conversation state (plugin state) is dropped, default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Connection caps and timeouts (README "Limits"); unset fields get the defaults. */
  limits?: Partial<ServiceLimits>;
}

/** A running core service. */
export interface CoreService {
  readonly url: string;
  readonly port: number;
  readonly plugins: PluginManager;
  /** Users with state or open sockets. */
  readonly userCount: number;
  setAudioUrl(url: string, publicUrl?: string): void;
  close(): Promise<void>;
}

const WS_PATH = /^\/ws\/([^/]+)$/;
const PLUGIN_PATH = /^\/api\/v2\/plugins\/([\w-]+)\/(enable|disable)$/;
const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/capture-worklet.js': 'capture-worklet.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript',
  css: 'text/css',
};

interface UserState {
  sockets: Set<WebSocket>;
  lastActivity: number;
}

/**
 * The core service: chat with plugin-first handling (`POST /api/v2/chat`, `WS /ws/{user_id}`), plugin
 * management, health (including the audio service's), the voice command grammar for the audio service, and
 * the web UI.
 */
export async function startCoreService(options: CoreServiceOptions): Promise<CoreService> {
  const tokens = options.tokens;
  const plugins = options.plugins ?? defaultPlugins();
  let audioUrl = options.audioUrl;
  let publicAudioUrl = options.publicAudioUrl;
  const users = new Map<string, UserState>();
  const timeoutMs = options.sessionTimeoutMs ?? 30 * 60 * 1000;
  const limits: ServiceLimits = { ...DEFAULT_SERVICE_LIMITS, ...options.limits };

  const userOf = (userId: string): UserState => {
    let u = users.get(userId);
    if (!u) {
      u = { sockets: new Set(), lastActivity: Date.now() };
      users.set(userId, u);
    }
    u.lastActivity = Date.now();
    return u;
  };
  /** Sends to this user's sockets only. */
  const push = (userId: string, type: string, data: unknown): void => {
    const text = JSON.stringify({ type, data, timestamp: new Date().toISOString() });
    for (const ws of users.get(userId)?.sockets ?? []) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  const unsubscribe = plugins.onChange((info) => {
    const text = JSON.stringify({ type: 'plugin_update', data: info, timestamp: new Date().toISOString() });
    for (const u of users.values())
      for (const ws of u.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  });

  const chat = async (who: Principal, message: unknown, source: unknown): Promise<ChatReply> => {
    if (typeof message !== 'string' || !message.trim() || message.length > 2000) {
      throw new JarvisError('BAD_REQUEST', 'message must be a non-empty string of at most 2000 characters');
    }
    userOf(who.userId);
    const reply = await handleChat(plugins, who.userId, message, source === 'voice' ? 'voice' : 'text');
    // The user's other windows see voice turns as they happen.
    if (reply.source === 'voice') push(who.userId, 'voice_interaction', reply);
    return reply;
  };

  const audioHealth = async (): Promise<unknown> => {
    if (!audioUrl) return { status: 'not_configured' };
    try {
      const res = await fetch(`${audioUrl}/api/v2/audio/health`, { signal: AbortSignal.timeout(3000) });
      return res.ok ? await res.json() : { status: 'unhealthy', http_status: res.status };
    } catch (err) {
      return { status: 'unreachable', message: (err as Error).message };
    }
  };

  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    const file = STATIC[path];
    if (file && method === 'GET') {
      const body = await readFile(join(WEB_DIR, file));
      res.writeHead(200, {
        'content-type': TYPES[file.split('.').pop() as string],
        'cache-control': 'no-cache',
      });
      res.end(body);
      return;
    }
    if (path === '/api/v2/health' && method === 'GET') {
      const audio = await audioHealth();
      sendJson(res, 200, {
        status: 'healthy',
        service: 'jarvis-core',
        plugins_enabled: plugins.list().filter((p) => p.enabled).length,
        users: users.size,
        audio_service: audio,
      });
      return;
    }
    if (path === '/api/v2/config' && method === 'GET') {
      const pub = publicAudioUrl ?? audioUrl;
      sendJson(res, 200, { audio_ws_url: pub ? pub.replace(/^http/, 'ws') : null });
      return;
    }
    const who = authenticate(tokens, req);
    if (path === '/api/v2/me' && method === 'GET') {
      sendJson(res, 200, { user_id: who.userId, role: who.role });
      return;
    }
    if (path === '/api/v2/chat' && method === 'POST') {
      const body = await readJson(req);
      if (body.user_id !== undefined && body.user_id !== who.userId) {
        throw new JarvisError('FORBIDDEN', 'user_id does not match the token');
      }
      sendJson(res, 200, await chat(who, body.message, body.source));
      return;
    }
    if (path === '/api/v2/plugins' && method === 'GET') {
      sendJson(res, 200, { plugins: plugins.list() });
      return;
    }
    const pm = PLUGIN_PATH.exec(path);
    if (pm && method === 'POST') {
      if (who.role !== 'admin') throw new JarvisError('FORBIDDEN', 'plugin management needs an admin token');
      sendJson(res, 200, plugins.setEnabled(pm[1], pm[2] === 'enable'));
      return;
    }
    if (path === '/api/v2/voice/grammar' && method === 'GET') {
      const text = plugins.grammar(SMALL_TALK_PHRASES);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
      return;
    }
    throw new JarvisError('NOT_FOUND', `no route ${method} ${path}`);
  };

  const server: Server = createHttpServer(limits, (req, res) => {
    routes(req, res).catch((err: unknown) => sendError(res, err));
  });
  const attach = (ws: WebSocket, who: Principal): void => {
    const user = userOf(who.userId);
    user.sockets.add(ws);
    const send = (type: string, data: unknown) => {
      if (ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type, data, timestamp: new Date().toISOString() }));
    };
    send('status', { state: 'connected', user_id: who.userId });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      user.lastActivity = Date.now();
      void (async () => {
        if (isBinary) throw new JarvisError('INVALID_MESSAGE', 'the core socket takes JSON text messages');
        let msg: { type?: unknown; message?: unknown };
        try {
          msg = JSON.parse(data.toString('utf8')) as typeof msg;
        } catch {
          throw new JarvisError('INVALID_MESSAGE', 'message is not valid JSON');
        }
        if (msg === null || typeof msg !== 'object')
          throw new JarvisError('INVALID_MESSAGE', 'message must be an object');
        if (msg.type === 'chat') send('chat_response', await chat(who, msg.message, 'text'));
        else if (msg.type === 'ping') send('pong', {});
        else throw new JarvisError('INVALID_MESSAGE', `unknown message type ${JSON.stringify(msg.type)}`);
      })().catch((err: unknown) => {
        const e = asJarvisError(err);
        send('error', { code: e.wireCode, message: e.message });
      });
    });
    ws.on('close', () => {
      user.sockets.delete(ws);
      user.lastActivity = Date.now();
    });
    ws.on('error', () => {});
  };

  const wss = acceptUserSockets(server, {
    tokens,
    path: WS_PATH,
    pathHint: '/ws/{user_id}',
    maxPayload: 64 * 1024,
    limits,
    onSocket: (ws, who) => attach(ws, who),
  });
  const stopSweeper = sweepEvery(timeoutMs, (cutoff) => {
    for (const [userId, u] of users) {
      if (u.sockets.size === 0 && u.lastActivity < cutoff) {
        users.delete(userId);
        plugins.dropUser(userId);
      }
    }
  });

  const { url, port } = await listen(server, options.port ?? 8000, options.host ?? '127.0.0.1');
  return {
    url,
    port,
    plugins,
    get userCount() {
      return users.size;
    },
    setAudioUrl(url, publicUrl) {
      audioUrl = url;
      publicAudioUrl = publicUrl;
    },
    async close() {
      stopSweeper();
      unsubscribe();
      await shutdown(server, wss, limits.closeGraceMs);
    },
  };
}
