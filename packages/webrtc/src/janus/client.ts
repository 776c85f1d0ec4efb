import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type AsyncCloseable, closeOnce, emitError } from '@voxwire/core';
import { WebSocket } from 'ws';
import { WebRtcError } from '../errors.js';
import { JanusHandle } from './handle.js';
import { JANUS_CORE_ERRORS, JanusError } from './janus-error.js';
import type { JanusIncoming } from './messages.js';

/** Options for {@link JanusClient}. */
export interface JanusClientOptions {
  /** Janus' WebSocket API, e.g. `ws://127.0.0.1:8188` (subprotocol `janus-protocol`). */
  url: string;
  /** Janus' `api_secret`, sent as `apisecret` with every request. */
  apiSecret?: string;
  /** A token (Janus `token_auth`), sent as `token` with every request. */
  token?: string;
  /** How long a request may wait for Janus' answer, ms. Default 15000. */
  requestTimeoutMs?: number;
  /** Keepalive period, ms; must be below Janus' `session_timeout` (60 s by default). Default 25000. */
  keepaliveMs?: number;
  /** Reconnect after the socket drops (and reclaim the session, or make a new one). Default true. */
  reconnect?: boolean;
  /** How long to keep trying to reconnect before giving up with `disconnected`, ms. Default 60000. */
  reconnectTimeoutMs?: number;
}

/** How a reconnection went: `reclaimed` keeps the session and its handles; otherwise they are new. */
export interface JanusReconnectInfo {
  sessionId: number;
  /** True when Janus still had the session (`claim` succeeded); false when a new session was created. */
  reclaimed: boolean;
}

/** Events of {@link JanusClient}. */
export interface JanusClientEvents {
  /** The socket dropped; reconnecting starts (if enabled). */
  disconnected: [reason: string];
  /** The socket is back; see `info.reclaimed`. */
  reconnected: [info: JanusReconnectInfo];
  /**
   * The old session is gone (Janus restarted, or it timed out): every handle was detached. Plugin wrappers
   * attach again and re-join on this event.
   */
  'session-lost': [oldSessionId: number];
  /** Every message Janus sends (after the client has handled it). */
  message: [message: JanusIncoming];
  /** Reconnecting failed for good, or Janus sent something unusable. */
  error: [error: WebRtcError];
  /** `close()` finished, or reconnecting gave up. */
  close: [];
}

interface Pending {
  resolve: (msg: JanusIncoming) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** For `message` requests, the `ack` is not the answer: wait for the event with this transaction. */
  waitForEvent: boolean;
  what: string;
}

/**
 * A client of Janus' WebSocket API: one session, with keepalives, plugin handles, request/response
 * transactions with timeouts and event dispatch to the handles. When the socket drops it reconnects and
 * `claim`s the session back (Janus keeps it for `reclaim_session_timeout`); when Janus has lost the session
 * (restart), it creates a new one and emits `session-lost` so the plugin wrappers can rejoin. `close()` (or
 * `await using`) detaches everything and destroys the session.
 */
export class JanusClient extends EventEmitter<JanusClientEvents> implements AsyncCloseable {
  readonly url: string;
  private readonly apiSecret: string | undefined;
  private readonly token: string | undefined;
  private readonly requestTimeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly reconnectEnabled: boolean;
  private readonly reconnectTimeoutMs: number;
  private ws: WebSocket | undefined;
  private session: number | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly handles = new Map<number, JanusHandle>();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private reconnecting: Promise<void> | undefined;
  private closed = false;

  constructor(options: JanusClientOptions) {
    super();
    if (typeof options?.url !== 'string' || !/^wss?:\/\//.test(options.url)) {
      throw new WebRtcError('INVALID_ARGUMENT', 'JanusClient: url must be a ws:// or wss:// URL');
    }
    this.url = options.url;
    this.apiSecret = options.apiSecret;
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.keepaliveMs = options.keepaliveMs ?? 25_000;
    this.reconnectEnabled = options.reconnect ?? true;
    this.reconnectTimeoutMs = options.reconnectTimeoutMs ?? 60_000;
  }

  /** The Janus session id, once connected. */
  get sessionId(): number | undefined {
    return this.session;
  }

  /** Whether the socket is open and a session exists. */
  get isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.session !== undefined;
  }

  /**
   * Opens the socket and creates a session.
   * @throws WebRtcError `DISCONNECTED` when Janus cannot be reached; JanusError `JANUS_ERROR` (403) for a
   *   wrong API secret or token
   */
  async connect(): Promise<void> {
    if (this.closed) throw new WebRtcError('CLOSED', 'JanusClient is closed');
    await this.openSocket();
    await this.createSession();
  }

  /**
   * Attaches to a plugin.
   * @param plugin - e.g. `janus.plugin.audiobridge`
   * @throws JanusError `JANUS_ERROR` with `janusCode` 460 for a plugin Janus does not have
   */
  async attach(plugin: string, opaqueId?: string): Promise<JanusHandle> {
    const res = await this.send({ janus: 'attach', plugin, opaque_id: opaqueId }, false, `attach ${plugin}`);
    const id = res.data?.id;
    if (typeof id !== 'number')
      throw new JanusError('JANUS_ERROR', `attach ${plugin}: no handle id in answer`);
    const handle = new JanusHandle(this, id, plugin);
    this.handles.set(id, handle);
    return handle;
  }

  /**
   * Sends a Janus API request with a fresh transaction and resolves with the answer: the `success` (or, when
   * `waitForEvent`, the plugin `event` that follows the `ack`).
   * @internal used by handles
   */
  send(body: Record<string, unknown>, waitForEvent: boolean, what: string): Promise<JanusIncoming> {
    const ws = this.ws;
    if (this.closed) return Promise.reject(new WebRtcError('CLOSED', `${what}: JanusClient is closed`));
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new WebRtcError('DISCONNECTED', `${what}: not connected to Janus`));
    }
    const transaction = randomUUID();
    const msg: Record<string, unknown> = { ...body, transaction };
    if (this.session !== undefined && msg.janus !== 'create') msg.session_id = this.session;
    if (this.apiSecret !== undefined) msg.apisecret = this.apiSecret;
    if (this.token !== undefined) msg.token = this.token;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(
          new WebRtcError('TIMEOUT', `${what}: no answer from Janus within ${this.requestTimeoutMs} ms`),
        );
      }, this.requestTimeoutMs);
      this.pending.set(transaction, { resolve, reject, timer, waitForEvent, what });
      ws.send(JSON.stringify(msg), (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(transaction);
        reject(new WebRtcError('DISCONNECTED', `${what}: send failed: ${err.message}`, { cause: err }));
      });
    });
  }

  /** @internal a handle was detached */
  forget(handleId: number): void {
    this.handles.delete(handleId);
  }

  /**
   * Detaches all handles, destroys the session and closes the socket. Safe to call more than once.
   */
  readonly close: () => Promise<void> = closeOnce(() => this.shutdown());

  /** `await using janus = new JanusClient(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    if (this.closed) return; // reconnecting gave up already: everything is released
    if (this.isConnected) {
      await Promise.allSettled([...this.handles.values()].map((h) => h.detach()));
      await this.send({ janus: 'destroy' }, false, 'destroy').catch(() => undefined);
    }
    this.closed = true;
    this.shutdownSocket();
    this.failPending(new WebRtcError('CLOSED', 'JanusClient closed'));
    this.emit('close');
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, 'janus-protocol');
      const onError = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(
          new WebRtcError('DISCONNECTED', `cannot reach Janus at ${this.url}: ${err.message}`, {
            cause: err,
          }),
        );
      };
      ws.once('error', onError);
      ws.once('open', () => {
        ws.off('error', onError);
        this.ws = ws;
        ws.on('message', (data) => this.onMessage(data.toString()));
        ws.on('error', () => undefined); // 'close' follows and handles it
        ws.once('close', (code, reason) => this.onSocketClose(ws, `${code} ${reason.toString()}`.trim()));
        resolve();
      });
    });
  }

  private async createSession(): Promise<void> {
    const res = await this.send({ janus: 'create' }, false, 'create session');
    const id = res.data?.id;
    if (typeof id !== 'number')
      throw new JanusError('JANUS_ERROR', 'create session: no session id in answer');
    this.session = id;
    this.startKeepalive();
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => {
      this.send({ janus: 'keepalive' }, false, 'keepalive').catch(() => undefined);
    }, this.keepaliveMs);
  }

  private shutdownSocket(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    }
  }

  private failPending(err: WebRtcError): void {
    for (const [t, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new WebRtcError(err.code, `${p.what}: ${err.message}`));
      this.pending.delete(t);
    }
  }

  private onSocketClose(ws: WebSocket, reason: string): void {
    if (ws !== this.ws || this.closed) return;
    this.shutdownSocket();
    this.failPending(new WebRtcError('DISCONNECTED', `connection to Janus lost (${reason})`));
    this.emit('disconnected', reason);
    if (!this.reconnectEnabled) {
      this.giveUp(new WebRtcError('DISCONNECTED', `connection to Janus lost (${reason})`));
      return;
    }
    this.reconnecting ??= this.reconnectLoop().finally(() => {
      this.reconnecting = undefined;
    });
  }

  private giveUp(err: WebRtcError): void {
    this.closed = true;
    for (const h of this.handles.values()) h.markDetached('disconnected');
    this.handles.clear();
    emitError(this, err);
    this.emit('close');
  }

  private async reconnectLoop(): Promise<void> {
    const deadline = Date.now() + this.reconnectTimeoutMs;
    let delay = 100;
    let lastError = 'not tried';
    while (!this.closed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
      if (this.closed) return;
      try {
        await this.openSocket();
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        continue;
      }
      try {
        const old = this.session;
        const reclaimed = old !== undefined && (await this.claim());
        if (!reclaimed) {
          this.session = undefined;
          await this.createSession();
          for (const h of this.handles.values()) h.markDetached('session-lost');
          this.handles.clear();
          if (old !== undefined) this.emit('session-lost', old);
        } else {
          this.startKeepalive();
        }
        this.emit('reconnected', { sessionId: this.session as number, reclaimed });
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        this.shutdownSocket();
      }
    }
    if (!this.closed) {
      this.giveUp(
        new WebRtcError(
          'DISCONNECTED',
          `could not reconnect to Janus within ${this.reconnectTimeoutMs} ms: ${lastError}`,
        ),
      );
    }
  }

  /** `claim`s the session on the new socket; false when Janus no longer has it. */
  private async claim(): Promise<boolean> {
    try {
      await this.send({ janus: 'claim' }, false, 'claim session');
      return true;
    } catch (err) {
      if (err instanceof JanusError && err.janusCode === JANUS_CORE_ERRORS.SESSION_NOT_FOUND) return false;
      throw err;
    }
  }

  private onMessage(text: string): void {
    let msg: JanusIncoming;
    try {
      msg = JSON.parse(text) as JanusIncoming;
    } catch {
      this.emitError(
        new WebRtcError('PROTOCOL_ERROR', `Janus sent something that is not JSON: ${text.slice(0, 80)}`),
      );
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.janus !== 'string') return;
    const pending = msg.transaction ? this.pending.get(msg.transaction) : undefined;
    if (pending && msg.transaction) {
      if (msg.janus === 'ack' && pending.waitForEvent) {
        // The answer follows as an event with the same transaction.
      } else {
        this.pending.delete(msg.transaction);
        clearTimeout(pending.timer);
        const err = errorOf(msg, pending.what);
        if (err) pending.reject(err);
        else pending.resolve(msg);
        this.emit('message', msg);
        return;
      }
    }
    if (msg.janus === 'timeout' && msg.session_id === this.session) {
      // Janus dropped our session (missed keepalives): treat as lost and make a new one.
      this.ws?.close();
    }
    if (typeof msg.sender === 'number') this.handles.get(msg.sender)?.dispatch(msg);
    this.emit('message', msg);
  }

  private emitError(err: WebRtcError): void {
    emitError(this, err);
  }
}

/** The error in a Janus answer: a core `error`, or a plugin's `error_code` in `plugindata.data`. */
function errorOf(msg: JanusIncoming, what: string): JanusError | undefined {
  if (msg.janus === 'error' && msg.error) {
    return new JanusError('JANUS_ERROR', `${what}: Janus error ${msg.error.code}: ${msg.error.reason}`, {
      janusCode: msg.error.code,
    });
  }
  const data = msg.plugindata?.data;
  if (data && typeof data.error_code === 'number') {
    return new JanusError(
      'JANUS_ERROR',
      `${what}: ${msg.plugindata?.plugin} error ${data.error_code}: ${data.error}`,
      {
        janusCode: data.error_code,
        plugin: msg.plugindata?.plugin,
      },
    );
  }
  return undefined;
}
