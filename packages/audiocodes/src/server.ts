import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  closeOnce,
  closeWebSocket,
  DEFAULT_CLOSE_TIMEOUT_MS,
  emitError,
  keepAlive,
  type ListenOptions,
  type StartedServer,
} from '@voxwire/core';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { clip } from './clip.js';
import { AudioCodesError, AudioCodesProtocolError } from './errors.js';
import { closeStalledSocket, guardFrameStalls } from './frame-stall-guard.js';
import { type AudioCodesParseLimits, parseAudioCodesMessage } from './parse.js';
import {
  type AudioCodesMediaFormat,
  type AudioCodesOutbound,
  chooseMediaFormat,
  isAudioCodesMediaFormat,
} from './protocol.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { AudioCodesSession } from './session.js';

/** Options of {@link createAudioCodesServer}. */
export interface AudioCodesServerOptions extends ListenOptions {
  /** An existing HTTP server to attach to (its `port` and `host` apply); otherwise one is created on `port`. */
  server?: Server;
  /** WebSocket path VAIC connects to. Default `/audiocodes`. */
  path?: string;
  /** Bearer token VAIC must present (`Authorization: Bearer <token>`). Required: an open bot is refused. */
  token: string;
  /** How long a conversation whose socket dropped waits for `session.resume` before it ends. Default 10 s. */
  resumeTimeoutMs?: number;
  /**
   * Most conversations waiting for `session.resume` at once; past it the one waiting longest ends at once,
   * so a flood of abandoned conversations cannot hold model sessions. Default 32.
   */
  maxPendingResumes?: number;
  /** A conversation with no message from VAIC for this long is hung up (close code 1008). Default 60 s. */
  idleTimeoutMs?: number;
  /** A socket must start (or resume) a conversation this soon after connecting, or is closed (1008). Default 10 s. */
  handshakeTimeoutMs?: number;
  /** A socket stuck in the middle of one WebSocket frame this long is closed (1008). Default 10 s. */
  frameTimeoutMs?: number;
  /** Most open Bot API sockets; more upgrades are answered 503. Default 500. */
  maxConnections?: number;
  /** Largest WebSocket message, bytes (larger ones close the socket with 1009). Default 256 KiB. */
  maxMessageBytes?: number;
  /** Most bytes queued toward a VAIC socket that does not read before its conversation is dropped. Default 4 MiB. */
  maxSendBufferBytes?: number;
  /** Bounds on strings, activities and media formats in one message. */
  limits?: AudioCodesParseLimits;
  /** How long `close()` waits for sockets to finish their closing handshake before dropping them. Default 2 s. */
  closeTimeoutMs?: number;
  /** Clock for the sessions' playback positions (tests). */
  now?: () => number;
  /** Format of a conversation whose `session.initiate` offers none. Default `raw/lpcm16` (the design's). */
  defaultMediaFormat?: AudioCodesMediaFormat;
  /** `participant` on the bot's `playStream.*` messages. Default `"caller"`. */
  participant?: string;
  /** A WebSocket ping to every socket this often, ms; 0 turns keepalive off. Default 20 s. */
  keepaliveIntervalMs?: number;
  /**
   * A ping unanswered this long means VAIC is gone: the socket is terminated (the conversation then waits
   * for `session.resume` as after any drop). Default 10 s.
   */
  keepaliveTimeoutMs?: number;
}

/** Events of an {@link AudioCodesServer}. */
export interface AudioCodesServerEvents {
  /** A conversation was accepted. */
  session: [session: AudioCodesSession];
  /**
   * A protocol problem outside any accepted conversation (bad JSON, bad initiate, …), or one on a
   * conversation that had no `error` listener (late input after it ended). With no listener it becomes a
   * process warning.
   */
  error: [err: Error];
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  // Compare equal-length buffers in constant time; a length mismatch is itself a failure.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One Bot API socket: the conversation it carries (if any) and its handshake-then-idle timer. */
interface Connection {
  ws: WebSocket;
  session: AudioCodesSession | null;
  timer: NodeJS.Timeout;
}

/**
 * A running VoiceAI Connect bot endpoint, from {@link createAudioCodesServer}: listening when you get it,
 * released by `close()` (or `await using`).
 */
export class AudioCodesServer extends EventEmitter<AudioCodesServerEvents> implements StartedServer {
  /** Conversations currently open, by conversationId. */
  readonly sessions = new Map<string, AudioCodesSession>();
  /**
   * Ends every conversation (hang-up activity, close code 1001), closes every socket with 1001, waits for
   * the closing handshakes (at most `closeTimeoutMs`), then closes the HTTP server when it created it.
   * Idempotent: later calls resolve with the first.
   */
  readonly close: () => Promise<void> = closeOnce(() => this.release());
  private readonly wss: WebSocketServer;
  /** Conversations whose socket dropped, oldest first, with the timer that ends them. */
  private readonly pendingResumes = new Map<string, NodeJS.Timeout>();
  private readonly path: string;
  private closed = false;

  /** @internal Use {@link createAudioCodesServer}. */
  constructor(
    private readonly http: Server,
    private readonly ownsServer: boolean,
    private readonly opts: AudioCodesServerOptions,
  ) {
    super();
    this.path = opts.path ?? '/audiocodes';
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageBytes ?? 256 * 1024,
      perMessageDeflate: false,
    });
    http.on('upgrade', this.onUpgrade);
  }

  /** `ws://host:port/path` of the endpoint. */
  get url(): string {
    const addr = this.http.address() as AddressInfo | null;
    const host = addr?.family === 'IPv6' ? `[${addr.address}]` : (addr?.address ?? '127.0.0.1');
    return `ws://${host}:${addr?.port ?? 0}${this.path}`;
  }

  /** The port of the HTTP server the endpoint listens on. */
  get port(): number {
    return (this.http.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Bot API sockets currently open. */
  get connections(): number {
    return this.wss.clients.size;
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== this.path) {
      // On a shared server another handler may own the path; on our own server nobody does.
      if (this.ownsServer) refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.closed) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    if (!tokenMatches(req.headers.authorization, this.opts.token)) {
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    if (this.wss.clients.size >= (this.opts.maxConnections ?? 500)) {
      this.report(
        new AudioCodesProtocolError('LIMIT_EXCEEDED', 'connection refused: maxConnections reached'),
      );
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      guardFrameStalls(socket, this.opts.frameTimeoutMs ?? 10_000, () =>
        closeStalledSocket(socket, 1008, 'stalled in the middle of a frame'),
      );
      const interval = this.opts.keepaliveIntervalMs ?? 20_000;
      if (interval > 0) {
        const timeoutMs = this.opts.keepaliveTimeoutMs ?? 10_000;
        keepAlive(ws, {
          intervalMs: interval,
          timeoutMs,
          onDead: () =>
            this.report(
              new AudioCodesProtocolError(
                'TIMEOUT',
                `no answer to a ping for ${timeoutMs} ms: socket dropped`,
              ),
            ),
        });
      }
      this.onConnection(ws);
    });
  };

  private onConnection(ws: WebSocket): void {
    const conn: Connection = {
      ws,
      session: null,
      timer: setTimeout(() => {
        if (!conn.session && ws.readyState === ws.OPEN) ws.close(1008, 'no session.initiate in time');
      }, this.opts.handshakeTimeoutMs ?? 10_000),
    };
    ws.on('message', (data, isBinary) => {
      // Total: nothing a peer sends (nor a listener of ours failing on it) may throw into the socket's
      // data handler, where it would be an uncaught exception that ends the process.
      try {
        this.onMessage(conn, data, isBinary);
      } catch (err) {
        this.reject(
          conn,
          new AudioCodesProtocolError(
            'INTERNAL',
            `message handling failed: ${clip((err as Error)?.message)}`,
            {
              cause: err,
            },
          ),
        );
      }
    });
    ws.on('close', () => {
      clearTimeout(conn.timer);
      const s = conn.session;
      if (!s || s.ended || !s.isAttachedTo(ws)) return;
      s.detach();
      this.awaitResume(s);
    });
    ws.on('error', (err) => this.reject(conn, err));
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const { ws } = conn;
    if (isBinary) {
      this.reject(
        conn,
        new AudioCodesProtocolError('BINARY_FRAME', 'binary frames are not part of the Bot API'),
      );
      return;
    }
    const parsed = parseAudioCodesMessage(data.toString(), this.opts.limits);
    if (!parsed.ok) {
      this.reject(conn, parsed.error, parsed.conversationId);
      return;
    }
    const msg = parsed.message;
    const session = conn.session;
    if (msg.type === 'connection.validate') {
      this.reply(ws, { type: 'connection.validated', conversationId: msg.conversationId, success: true });
      return;
    }
    const cid = msg.conversationId;
    if (msg.type === 'session.initiate') {
      if (session) {
        this.reject(
          conn,
          bad('BAD_STATE', 'session.initiate on a socket that already has a conversation'),
          cid,
        );
        return;
      }
      if (this.sessions.has(cid)) {
        this.reject(conn, bad('BAD_CONVERSATION', `conversation ${clip(cid)} already exists`), cid);
        return;
      }
      const format = chooseMediaFormat(msg.supportedMediaFormats, this.opts.defaultMediaFormat);
      if (!format) {
        const offered = clip(msg.supportedMediaFormats.join(', '));
        this.reject(conn, bad('NO_FORMAT', `no supported media format among [${offered}]`), cid);
        return;
      }
      const s = new AudioCodesSession(ws, msg, format, {
        now: this.opts.now,
        maxSendBufferBytes: this.opts.maxSendBufferBytes,
        participant: this.opts.participant,
        onUnheardError: (err) => this.report(err),
      });
      this.adopt(conn, s);
      this.sessions.set(cid, s);
      s.once('end', () => this.forget(s));
      this.reply(ws, { type: 'session.accepted', conversationId: cid, mediaFormat: format });
      this.emit('session', s);
      return;
    }
    if (msg.type === 'session.resume') {
      const existing = this.sessions.get(cid);
      if (!existing || (session && session !== existing)) {
        this.reject(
          conn,
          bad('BAD_CONVERSATION', `session.resume for unknown conversation ${clip(cid)}`),
          cid,
        );
        return;
      }
      clearTimeout(this.pendingResumes.get(cid));
      this.pendingResumes.delete(cid);
      const old = existing.attach(ws);
      // Only one socket speaks for a conversation; the one it had (if still open) is replaced.
      if (old && old.readyState === old.OPEN) old.close(1008, 'conversation resumed on another connection');
      this.adopt(conn, existing);
      this.reply(ws, { type: 'session.accepted', conversationId: cid, mediaFormat: existing.mediaFormat });
      return;
    }
    if (!session) {
      this.reject(conn, bad('BAD_STATE', `${msg.type} before session.initiate`), cid);
      return;
    }
    if (session.ended) return; // late input on a conversation that is over: nothing to do
    if (cid !== session.id) {
      this.reject(conn, bad('BAD_CONVERSATION', `conversationId ${clip(cid)} does not match ${session.id}`));
      return;
    }
    conn.timer.refresh();
    session.handle(msg);
  }

  /** Binds a conversation to a socket; from now on the socket's timer is the conversation's idle timer. */
  private adopt(conn: Connection, s: AudioCodesSession): void {
    conn.session = s;
    clearTimeout(conn.timer);
    const idleMs = this.opts.idleTimeoutMs ?? 60_000;
    conn.timer = setTimeout(() => {
      // A socket replaced by a resume elsewhere no longer speaks for the conversation.
      if (s.isAttachedTo(conn.ws)) s.shutdown(`idle: no message from VAIC for ${idleMs} ms`, 1008);
    }, idleMs);
  }

  /** A conversation lost its socket: it waits for `session.resume`, within the time and count bounds. */
  private awaitResume(s: AudioCodesSession): void {
    const timer = setTimeout(() => s.finish('connection lost'), this.opts.resumeTimeoutMs ?? 10_000);
    this.pendingResumes.set(s.id, timer);
    const max = this.opts.maxPendingResumes ?? 32;
    for (const [id] of this.pendingResumes) {
      if (this.pendingResumes.size <= max) break;
      this.sessions.get(id)?.finish('connection lost (too many conversations awaiting resume)');
    }
  }

  private forget(s: AudioCodesSession): void {
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
    clearTimeout(this.pendingResumes.get(s.id));
    this.pendingResumes.delete(s.id);
  }

  private reply(ws: WebSocket, msg: AudioCodesOutbound): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  /**
   * A bad message: outside a conversation VAIC gets `session.error` (the Bot API's only error reply); the
   * error goes to the conversation's `error` listeners, else to the server's.
   */
  private reject(conn: Connection, err: Error, conversationId?: string): void {
    const s = conn.session;
    if (!s) this.reply(conn.ws, { type: 'session.error', conversationId, reason: err.message });
    if (s && !s.ended) s.report(err);
    else this.report(err);
  }

  private report(err: Error): void {
    emitError(this, err);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async release(): Promise<void> {
    this.closed = true;
    this.http.off('upgrade', this.onUpgrade);
    for (const s of [...this.sessions.values()]) s.shutdown('server closing', 1001);
    // The closing handshakes, bounded: a peer that never answers the close frame is dropped.
    const graceMs = this.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    await Promise.all(
      [...this.wss.clients].map((ws) => closeWebSocket(ws, 1001, 'server shutting down', graceMs)),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.ownsServer) {
      await new Promise<void>((resolve) => {
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      });
    }
  }
}

function bad(code: AudioCodesProtocolError['code'], message: string): AudioCodesProtocolError {
  return new AudioCodesProtocolError(code, message);
}

function positive(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
    throw new AudioCodesError('INVALID_ARGUMENT', `${name} must be a positive number, got ${v}`);
  }
}

/**
 * Starts a VoiceAI Connect Bot API endpoint (streaming mode). VAIC connects with a bearer token; each accepted
 * conversation is emitted as an {@link AudioCodesSession} (`@voxwire/bridge` joins it to a model through
 * `audioCodesCallSession`). Resolves once listening (attached to `server` when one is given); rejects with
 * {@link AudioCodesError} `INVALID_ARGUMENT` for bad options, or with the listen error.
 *
 * @example
 * ```ts
 * await using bot = await createAudioCodesServer({ port: 8080, token: process.env.VAIC_TOKEN! });
 * bot.on('session', (call) => call.on('dtmf', ({ digit }) => call.hangup(`pressed ${digit}`)));
 * ```
 */
export async function createAudioCodesServer(opts: AudioCodesServerOptions): Promise<AudioCodesServer> {
  if (typeof opts?.token !== 'string' || opts.token.length === 0) {
    throw new AudioCodesError('INVALID_ARGUMENT', 'createAudioCodesServer: a bearer token is required');
  }
  const path = opts.path ?? '/audiocodes';
  if (!path.startsWith('/'))
    throw new AudioCodesError('INVALID_ARGUMENT', `path must start with "/", got "${path}"`);
  for (const key of [
    'resumeTimeoutMs',
    'maxPendingResumes',
    'idleTimeoutMs',
    'handshakeTimeoutMs',
    'frameTimeoutMs',
    'maxConnections',
    'maxMessageBytes',
    'closeTimeoutMs',
    'maxSendBufferBytes',
    'keepaliveTimeoutMs',
  ] as const) {
    positive(key, opts[key]);
  }
  const ka = opts.keepaliveIntervalMs;
  if (ka !== undefined && !(Number.isFinite(ka) && ka >= 0)) {
    throw new AudioCodesError('INVALID_ARGUMENT', `keepaliveIntervalMs must be 0 or more, got ${ka}`);
  }
  if (opts.defaultMediaFormat !== undefined && !isAudioCodesMediaFormat(opts.defaultMediaFormat)) {
    throw new AudioCodesError('INVALID_ARGUMENT', `unknown defaultMediaFormat "${opts.defaultMediaFormat}"`);
  }
  if (opts.server) return new AudioCodesServer(opts.server, false, opts);
  const http = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 2000 },
    (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket endpoint\n');
    },
  );
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return new AudioCodesServer(http, true, opts);
}
