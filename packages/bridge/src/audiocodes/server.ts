import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type AudioCodesInbound, type AudioCodesOutbound, chooseMediaFormat } from './protocol.js';
import { AudioCodesSession } from './session.js';

/** Options of {@link createAudioCodesServer}. */
export interface AudioCodesServerOptions {
  /** An existing HTTP server to attach to; otherwise one is created on `port`. */
  server?: Server;
  /** Port of the server created when `server` is absent (0 = any free port). */
  port?: number;
  /** Host of the created server. Default `127.0.0.1`. */
  host?: string;
  /** WebSocket path VAIC connects to. Default `/audiocodes`. */
  path?: string;
  /** Bearer token VAIC must present (`Authorization: Bearer <token>`). Required: an open bot is refused. */
  token: string;
  /** How long a conversation whose socket dropped waits for `session.resume` before it ends. Default 30 s. */
  resumeTimeoutMs?: number;
  /** Clock for the sessions' playback positions (tests). */
  now?: () => number;
}

/** Events of an {@link AudioCodesServer}. */
export interface AudioCodesServerEvents {
  /** A conversation was accepted. */
  session: [session: AudioCodesSession];
  /** A protocol problem outside any accepted conversation (bad JSON, bad initiate, …). */
  error: [err: Error];
}

/** A running VoiceAI Connect bot endpoint. */
export interface AudioCodesServer {
  /** `ws://host:port/path` of the endpoint. */
  readonly url: string;
  /** Conversations currently open, by conversationId. */
  readonly sessions: ReadonlyMap<string, AudioCodesSession>;
  on<E extends keyof AudioCodesServerEvents>(event: E, l: (...args: AudioCodesServerEvents[E]) => void): this;
  off<E extends keyof AudioCodesServerEvents>(
    event: E,
    l: (...args: AudioCodesServerEvents[E]) => void,
  ): this;
  /** Ends every conversation, closes the sockets and (when it created it) the HTTP server. */
  close(): Promise<void>;
}

/** Thrown by {@link createAudioCodesServer} for bad options. */
export class AudioCodesConfigError extends Error {
  override name = 'AudioCodesConfigError';
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  // Compare equal-length buffers in constant time; a length mismatch is itself a failure.
  return a.length === b.length && timingSafeEqual(a, b);
}

class AudioCodesServerImpl extends EventEmitter implements AudioCodesServer {
  readonly sessions = new Map<string, AudioCodesSession>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private readonly path: string;
  private closed = false;

  constructor(
    private readonly http: Server,
    private readonly ownsServer: boolean,
    private readonly opts: AudioCodesServerOptions,
  ) {
    super();
    this.path = opts.path ?? '/audiocodes';
    http.on('upgrade', this.onUpgrade);
  }

  get url(): string {
    const addr = this.http.address() as AddressInfo | null;
    const host = addr?.family === 'IPv6' ? `[${addr.address}]` : (addr?.address ?? '127.0.0.1');
    return `ws://${host}:${addr?.port ?? 0}${this.path}`;
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== this.path) return; // another handler on this server may own it
    if (!tokenMatches(req.headers.authorization, this.opts.token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  };

  private onConnection(ws: WebSocket): void {
    let session: AudioCodesSession | null = null;
    const reply = (msg: AudioCodesOutbound) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const reject = (reason: string, conversationId?: string) => {
      reply({ type: 'session.error', conversationId, reason });
      const err = new Error(`AudioCodes: ${reason}`);
      if (session) session.emit('error', err);
      else if (this.listenerCount('error') > 0) this.emit('error', err);
    };

    ws.on('message', (data, isBinary) => {
      if (isBinary) return reject('binary frames are not part of the Bot API', session?.id);
      let msg: AudioCodesInbound;
      try {
        msg = JSON.parse(data.toString()) as AudioCodesInbound;
      } catch {
        return reject('invalid JSON', session?.id);
      }
      if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string') {
        return reject('message without a "type"', session?.id);
      }
      if (msg.type === 'connection.validate') {
        reply({ type: 'connection.validated', conversationId: msg.conversationId, success: true });
        return;
      }
      const cid = (msg as { conversationId?: unknown }).conversationId;
      if (typeof cid !== 'string' || cid === '') return reject(`${msg.type} without a conversationId`);

      if (msg.type === 'session.initiate') {
        if (session) return reject('session.initiate on a socket that already has a conversation', cid);
        if (this.sessions.has(cid)) return reject(`conversation ${cid} already exists`, cid);
        const offered = Array.isArray(msg.supportedMediaFormats) ? msg.supportedMediaFormats : [];
        const format = chooseMediaFormat(offered);
        if (!format) return reject(`no supported media format among [${offered.join(', ')}]`, cid);
        session = new AudioCodesSession(ws, msg, format, { now: this.opts.now });
        this.track(session);
        reply({ type: 'session.accepted', conversationId: cid, mediaFormat: format });
        this.emit('session', session);
        return;
      }
      if (msg.type === 'session.resume') {
        const existing = this.sessions.get(cid);
        if (!existing) return reject(`session.resume for unknown conversation ${cid}`, cid);
        clearTimeout(this.resumeTimers.get(cid));
        this.resumeTimers.delete(cid);
        existing.attach(ws);
        session = existing;
        reply({ type: 'session.accepted', conversationId: cid, mediaFormat: existing.mediaFormat });
        return;
      }
      if (!session) return reject(`${msg.type} before session.initiate`, cid);
      if (cid !== session.id) return reject(`conversationId ${cid} does not match ${session.id}`, session.id);
      const known = ['userStream.start', 'userStream.chunk', 'userStream.stop', 'activities', 'session.end'];
      if (!known.includes(msg.type)) {
        session.emit('error', new Error(`AudioCodes: unknown message type "${msg.type}" ignored`));
        return;
      }
      session.handle(msg);
      if (msg.type === 'session.end') ws.close(1000, 'session ended');
    });

    ws.on('close', () => {
      const s = session;
      if (!s || s.ended) return;
      s.detach();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(s.id);
        s.finish('connection lost');
      }, this.opts.resumeTimeoutMs ?? 30_000);
      timer.unref();
      this.resumeTimers.set(s.id, timer);
    });
    ws.on('error', (err) => session?.emit('error', err));
  }

  private track(session: AudioCodesSession): void {
    this.sessions.set(session.id, session);
    session.once('end', () => {
      this.sessions.delete(session.id);
      clearTimeout(this.resumeTimers.get(session.id));
      this.resumeTimers.delete(session.id);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.http.off('upgrade', this.onUpgrade);
    for (const s of [...this.sessions.values()]) s.finish('server closing');
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.ownsServer) await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/**
 * Starts a VoiceAI Connect Bot API endpoint (streaming mode). VAIC connects with a bearer token; each accepted
 * conversation is emitted as an {@link AudioCodesSession}, a `CallSession` the bridge can join to a model.
 *
 * @example
 * ```ts
 * const bot = await createAudioCodesServer({ port: 8080, token: process.env.VAIC_TOKEN! });
 * bot.on('session', (call) => bridgeCall(call, realtime));
 * ```
 */
export async function createAudioCodesServer(opts: AudioCodesServerOptions): Promise<AudioCodesServer> {
  if (typeof opts?.token !== 'string' || opts.token.length === 0) {
    throw new AudioCodesConfigError('createAudioCodesServer: a bearer token is required');
  }
  const path = opts.path ?? '/audiocodes';
  if (!path.startsWith('/')) throw new AudioCodesConfigError(`path must start with "/", got "${path}"`);
  if (opts.server) return new AudioCodesServerImpl(opts.server, false, opts);
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket endpoint\n');
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return new AudioCodesServerImpl(http, true, opts);
}
