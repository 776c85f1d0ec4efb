import { backoffDelay, DEFAULT_RECONNECT, type ReconnectPolicy } from './backoff.js';
import { RealtimeClientError } from './errors.js';
import type { CloseEvent, ReconnectingEvent } from './events.js';
import { openSocket, socketClosed } from './open-socket.js';
import type { RealtimeClientOptions } from './options.js';
import { Outbox } from './outbox.js';
import type { ClientEvent, ServerEventOf } from './protocol.js';
import type { OverflowInfo } from './send-queue.js';
import { DefaultWebSocket, OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';

/** Where the connection is in its life. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What the connection asks of the client it serves. */
export interface ConnectionHooks {
  /** A frame from the live socket (already counted). */
  frame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void;
  /**
   * The events that set up a fresh session (its configuration, and with `restore` the conversation so far),
   * sent ahead of anything queued; `restored` counts the restored items.
   */
  setup(restore: boolean): { events: ClientEvent[]; restored: number };
  /** The `session.created` of the socket just adopted, once it is ready. */
  created(event: ServerEventOf<'session.created'>): void;
  /** The session was lost (`dropped`) or replaced by a rollover: what was in flight is over. */
  sessionEnded(dropped: boolean): void;
  /** Whether this is a quiet moment (no response, no user speech, no tool call) for a rollover. */
  quiet(): boolean;
  /** A new session is up and restored, after a drop or a rollover. */
  reconnected(attempt: number, restoredItems: number, planned: boolean): void;
  reconnecting(event: ReconnectingEvent): void;
  overflow(info: OverflowInfo): void;
  /** The connection closed for good. */
  closed(event: CloseEvent): void;
  error(err: RealtimeClientError): void;
}

/** Socket counters, for the client's metrics. */
export interface ConnectionStats {
  uptimeMs: number;
  messagesSent: number;
  messagesReceived: number;
  reconnects: number;
  droppedAudioMessages: number;
  droppedAudioMs: number;
}

const DEFAULT_URL = 'wss://api.openai.com/v1/realtime';

/**
 * The client's link to the server: opens the socket (upgrade, `session.created`, session setup), sends or
 * queues events under backpressure, keeps the link alive with heartbeats, reconnects with backoff after a
 * drop, and rolls over to a fresh session before the server's time limit.
 */
export class Connection {
  private readonly policy: ReconnectPolicy;
  private readonly reconnectEnabled: boolean;
  private readonly WS: WebSocketConstructor;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly outbox: Outbox;
  /** Resolves once the connection is closed and its socket released (see {@link Connection.close}). */
  private released: Promise<void> = Promise.resolve();

  private state: ConnectionState = 'idle';
  private ws: WebSocketLike | null = null;
  /** True once the current socket has its session configured and restored: app events may flow. */
  private ready = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private rolloverTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private rolloverDue = false;
  private rollingOver = false;
  private eventSeq = 0;
  /** The `session.created` that completed the last `openSocket`, delivered once the socket is adopted. */
  private pendingCreated: ServerEventOf<'session.created'> | null = null;

  private connectedSince = 0;
  private uptimeMs = 0;
  private messagesReceived = 0;
  private reconnects = 0;

  constructor(
    private readonly opts: RealtimeClientOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.policy = { ...DEFAULT_RECONNECT, ...(opts.reconnect || {}) };
    this.reconnectEnabled = opts.reconnect !== false && this.policy.maxRetries > 0;
    this.WS = opts.WebSocket ?? DefaultWebSocket;
    const model = opts.model ?? 'gpt-realtime';
    const url = new URL(opts.url ?? DEFAULT_URL);
    if (!url.searchParams.has('model') && !url.searchParams.has('deployment'))
      url.searchParams.set('model', model);
    this.url = url.toString();
    // The environment's key goes only to OpenAI itself: a URL naming a local server, a proxy or another
    // provider must be given its key explicitly, so a real OpenAI key is never sent elsewhere by accident.
    const apiKey =
      opts.apiKey ?? (url.hostname === 'api.openai.com' ? process.env.OPENAI_API_KEY : undefined);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const lower = Object.keys(headers).map((k) => k.toLowerCase());
    if (apiKey && !lower.includes('authorization') && !lower.includes('api-key')) {
      headers.Authorization = `Bearer ${apiKey}`;
    }
    this.headers = headers;
    this.outbox = new Outbox(
      opts.highWaterMarkBytes ?? 256 * 1024,
      opts.maxQueueBytes ?? 2 * 1024 * 1024,
      () => (this.ready && this.ws && this.ws.readyState === OPEN ? this.ws : null),
      (info) => this.hooks.overflow(info),
    );
  }

  /** Whether a socket is open and its session configured. */
  get connected(): boolean {
    return this.state === 'open' && this.ready;
  }

  /** Whether the connection is up or coming back (a session exists to update). */
  get live(): boolean {
    return this.state === 'open' || this.state === 'reconnecting';
  }

  /** Socket counters. */
  stats(): ConnectionStats {
    return {
      uptimeMs: this.uptimeMs + (this.connectedSince > 0 ? performance.now() - this.connectedSince : 0),
      messagesSent: this.outbox.messagesSent,
      messagesReceived: this.messagesReceived,
      reconnects: this.reconnects,
      droppedAudioMessages: this.outbox.droppedAudioMessages,
      droppedAudioMs: this.outbox.droppedAudioMs,
    };
  }

  /**
   * Opens the socket, waits for `session.created`, and sends the session configuration (with the tools).
   * @throws RealtimeClientError `CONNECTION` when the upgrade fails or times out (no retry on the first connect)
   */
  async connect(): Promise<void> {
    if (this.state === 'closed')
      throw new RealtimeClientError('NOT_CONNECTED', 'this client was closed; create a new one');
    if (this.state !== 'idle')
      throw new RealtimeClientError('INVALID_ARGUMENT', `connect() called twice (state: ${this.state})`);
    this.state = 'connecting';
    try {
      const ws = await this.openSocket();
      if (this.isClosed()) {
        // close() was called while connecting.
        ws.close(1000);
        throw new RealtimeClientError('NOT_CONNECTED', 'close() was called before connect() finished');
      }
      this.adopt(ws, false);
    } catch (err) {
      if (this.isClosed()) throw err;
      this.state = 'idle';
      throw err;
    }
  }

  /** Whether close() ran (a method, so TypeScript does not narrow the state across awaits). */
  isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Closes the connection for good; queued messages are reported in the `close` event. Idempotent: every
   * call returns the same promise, which resolves once the socket has closed (a peer that does not answer
   * the closing handshake within `CLOSE_GRACE_MS` is cut off).
   * @param code - WebSocket close code sent to the server (1000, or 4000–4999)
   * @param reason - close reason sent to the server
   */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    if (this.state !== 'closed') this.shutdown(code, reason);
    return this.released;
  }

  assertUsable(method: string): void {
    if (this.state === 'idle' || this.state === 'connecting') {
      throw new RealtimeClientError('NOT_CONNECTED', `${method}() called before connect() resolved`);
    }
    if (this.state === 'closed')
      throw new RealtimeClientError('NOT_CONNECTED', `${method}() called after close()`);
  }

  /** Serialises and sends (or queues) a control event. */
  sendEvent(event: ClientEvent): void {
    event.event_id = `evt_vw${(++this.eventSeq).toString(36)}`;
    this.sendRaw(JSON.stringify(event), 0);
  }

  /** Sends a serialised event now, or queues it (bounded: audio is dropped first). */
  sendRaw(data: string, audioMs: number): void {
    this.outbox.send(data, audioMs);
  }

  /** Opens a socket and resolves once `session.created` arrives (kept for {@link adopt}). */
  private async openSocket(): Promise<WebSocketLike> {
    const { ws, created } = await openSocket(
      this.WS,
      this.url,
      this.headers,
      this.opts.connectTimeoutMs ?? 15000,
    );
    this.messagesReceived++;
    this.pendingCreated = created;
    return ws;
  }

  /** Makes `ws` the live socket: configures the session, restores the conversation, flushes the queue. */
  private adopt(ws: WebSocketLike, restore: boolean): number {
    this.ws = ws;
    this.state = 'open';
    this.connectedSince = performance.now();
    this.awaitingPong = false;
    ws.on('message', (data, isBinary) => {
      if (ws !== this.ws) return;
      this.messagesReceived++;
      this.hooks.frame(data, isBinary);
    });
    ws.on('close', (code, reason) => this.onSocketClose(ws, code, reason.toString()));
    ws.on('error', (err) => {
      if (ws === this.ws)
        this.hooks.error(
          new RealtimeClientError('CONNECTION', `socket error: ${err.message}`, { cause: err }),
        );
    });
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    const created = this.pendingCreated;
    this.pendingCreated = null;
    // Session configuration and restored context go straight to the socket, ahead of anything queued.
    const { events: direct, restored } = this.hooks.setup(restore);
    for (const ev of direct) {
      ev.event_id = `evt_vw${(++this.eventSeq).toString(36)}`;
      this.outbox.sendDirect(ws, JSON.stringify(ev));
    }
    this.ready = true;
    this.startHeartbeat();
    this.scheduleRollover(created);
    if (created) this.hooks.created(created);
    this.outbox.drain();
    return restored;
  }

  private detach(ws: WebSocketLike): void {
    ws.removeAllListeners();
    ws.on('error', () => {});
    if (this.connectedSince > 0) {
      this.uptimeMs += performance.now() - this.connectedSince;
      this.connectedSince = 0;
    }
  }

  private onSocketClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.detach(ws);
    this.ws = null;
    this.ready = false;
    this.stopTimers();
    // Whatever was in flight is gone with the old session.
    this.hooks.sessionEnded(true);
    if (this.state === 'closed') return;
    if (!this.reconnectEnabled) {
      this.shutdown(code, `connection closed: ${code} ${reason}`.trim());
      return;
    }
    this.state = 'reconnecting';
    this.attempt = 0;
    this.scheduleReconnect(`connection closed: ${code}${reason ? ` ${reason}` : ''}`);
  }

  private scheduleReconnect(reason: string): void {
    this.attempt++;
    if (this.attempt > this.policy.maxRetries) {
      const err = new RealtimeClientError(
        'RECONNECT_FAILED',
        `gave up reconnecting after ${this.policy.maxRetries} attempts (${reason})`,
      );
      this.hooks.error(err);
      this.shutdown(1006, err.message);
      return;
    }
    const delayMs = backoffDelay(this.policy, this.attempt);
    this.hooks.reconnecting({ attempt: this.attempt, delayMs, reason, planned: false });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSocket().then(
        (ws) => {
          if (this.state !== 'reconnecting') {
            // Closed meanwhile, or a rollover already brought up a new session.
            ws.close(1000);
            return;
          }
          const attempt = this.attempt;
          const restored = this.adopt(ws, true);
          this.reconnects++;
          this.attempt = 0;
          this.hooks.reconnected(attempt, restored, false);
        },
        (err: RealtimeClientError) => {
          if (this.state === 'closed') return;
          this.scheduleReconnect(err.message);
        },
      );
    }, delayMs);
  }

  private startHeartbeat(): void {
    const interval = this.opts.heartbeatIntervalMs ?? 30000;
    if (interval <= 0 || !this.ws?.ping) return;
    this.heartbeatTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws) return;
      if (this.awaitingPong) {
        // No pong for a whole interval: the path is dead even if TCP has not noticed.
        this.hooks.error(
          new RealtimeClientError('CONNECTION', `no pong within ${interval} ms; dropping the connection`),
        );
        ws.terminate ? ws.terminate() : ws.close(4000, 'heartbeat timeout');
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping?.();
      } catch {
        // a failing ping shows up as a close
      }
    }, interval);
    this.heartbeatTimer.unref();
  }

  private scheduleRollover(created: ServerEventOf<'session.created'> | null): void {
    const maxMs = this.opts.sessionMaxMs ?? 60 * 60_000;
    const margin = this.opts.rolloverMarginMs ?? 5 * 60_000;
    let dueIn = maxMs - margin;
    const expiresAt = created?.session?.expires_at;
    if (typeof expiresAt === 'number' && expiresAt > 0) {
      const byServer = expiresAt * 1000 - Date.now() - margin;
      if (byServer > 0) dueIn = Math.min(dueIn, byServer);
    }
    this.rolloverDue = false;
    this.rolloverTimer = setTimeout(
      () => {
        this.rolloverDue = true;
        this.maybeRollover();
        // Past the quiet-moment window: switch even mid-turn rather than be cut off by the server.
        this.rolloverTimer = setTimeout(() => this.rollover(), Math.max(0, margin / 2));
        this.rolloverTimer.unref();
      },
      Math.max(0, dueIn),
    );
    this.rolloverTimer.unref();
  }

  /** Rolls over when due and quiet: no response in progress, user not speaking, no tool call pending. */
  maybeRollover(): void {
    if (!this.rolloverDue || this.rollingOver) return;
    if (!this.hooks.quiet()) return;
    this.rollover();
  }

  /** Opens a fresh session, restores it, then switches sockets (make before break). */
  private rollover(): void {
    if (this.rollingOver || this.state !== 'open') return;
    this.rollingOver = true;
    this.hooks.reconnecting({ attempt: 1, delayMs: 0, reason: 'rollover', planned: true });
    this.openSocket().then(
      (fresh) => {
        this.rollingOver = false;
        if (this.state === 'closed') {
          fresh.close(1000);
          return;
        }
        // If the old socket dropped while the fresh one was opening, the fresh one replaces the reconnect.
        clearTimeout(this.reconnectTimer);
        this.attempt = 0;
        // A partial input batch stays in the encoder and goes to the new session.
        const old = this.ws;
        if (old) {
          this.detach(old);
          old.close(1000, 'rollover');
        }
        this.stopTimers();
        this.hooks.sessionEnded(false);
        this.ws = null;
        this.ready = false;
        const restored = this.adopt(fresh, true);
        this.reconnects++;
        this.hooks.reconnected(1, restored, true);
      },
      (err: RealtimeClientError) => {
        this.rollingOver = false;
        this.hooks.error(err);
        // Try again later; the old session is still up.
        this.rolloverTimer = setTimeout(() => this.maybeRollover(), 10_000);
        this.rolloverTimer.unref();
      },
    );
  }

  private stopTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.rolloverTimer);
    this.outbox.pause();
    this.heartbeatTimer = undefined;
    this.rolloverTimer = undefined;
  }

  private shutdown(code: number, reason: string): void {
    this.released = Promise.resolve();
    this.state = 'closed';
    this.ready = false;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      this.detach(ws);
      this.released = socketClosed(ws);
      try {
        ws.close(code >= 4000 || code === 1000 ? code : 1000, reason.slice(0, 120));
      } catch {
        // already closing
      }
    }
    const unsent = this.outbox.clear();
    this.hooks.closed({
      code,
      reason,
      unsentMessages: unsent.messages,
      unsentAudioMs: unsent.audioMs,
    });
  }
}
