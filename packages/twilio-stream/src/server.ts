import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResamplerQuality } from '@voxwire/codecs';
import {
  closeOnce,
  DEFAULT_CLOSE_TIMEOUT_MS,
  emitError,
  keepAlive,
  type ListenOptions,
  type StartedServer,
} from '@voxwire/core';
import { WebSocketServer } from 'ws';
import { TwilioCall, type TwilioCallOptions } from './call.js';
import { TwilioStreamError } from './errors.js';
import { signatureAlgorithm, validateTwilioSignature } from './signature.js';

/** Options of {@link createMediaStreamServer}. */
export interface MediaStreamServerOptions extends ListenOptions {
  /**
   * Attach to this HTTP(S) server (its other routes and upgrade paths are left alone; `port` and `host`
   * are then ignored). Without it the server listens on `port` (default 0: any free port) on `host`
   * (default `127.0.0.1`).
   */
  server?: Server | HttpsServer;
  /** URL path of the stream endpoint (default `/`); other paths are not answered by this server. */
  path?: string;
  /** Account auth token; when set, every upgrade must carry a valid `X-Twilio-Signature`. */
  authToken?: string;
  /**
   * The SharedKey secret of a Twilio Webhooks rule, for upgrades Twilio signs with it (they carry
   * `X-Twilio-Webhooks-Signature-Settings`, with `HMAC_SHA1` or `HMAC_SHA256`). Without it such upgrades are
   * refused.
   */
  sharedKeySecret?: string;
  /**
   * The `wss://` URL exactly as written in your TwiML, which is what Twilio signs. Required with
   * `authToken`. A function receives the upgrade request (for several hostnames).
   */
  publicUrl?: string | ((request: IncomingMessage) => string);
  /** Check signatures (default: true when `authToken` is set). */
  validateSignature?: boolean;
  /** Sample rate of each call's `pcm` event (default 8000). */
  sampleRate?: number;
  /** Most outbound audio ahead of confirmed playback, in ms (default 500). */
  maxAheadMs?: number;
  /** Send a mark after every outbound frame (default true); false = only utterance marks, no pacing. */
  progressMarks?: boolean;
  /** Most outbound audio waiting locally behind `maxAheadMs` before the oldest is dropped (see {@link TwilioCallOptions}). */
  maxQueueMs?: number;
  /** Resampler preset between 8 kHz and other rates (default `'low'`, see {@link TwilioCallOptions}). */
  resamplerQuality?: ResamplerQuality;
  /** Largest accepted WebSocket message in bytes (default 64 KiB); a larger one closes the stream with 1009. */
  maxMessageBytes?: number;
  /** Longest `media.timestamp` jump filled with silence, in ms (default 5000; see {@link TwilioCallOptions}). */
  maxGapMs?: number;
  /** Close a stream with no `start` within this many ms (default 10000; see {@link TwilioCallOptions}). */
  startTimeoutMs?: number;
  /** Close a stream with no message for this many ms (default 20000; see {@link TwilioCallOptions}). */
  idleTimeoutMs?: number;
  /** Close a stream whose send buffer holds more than this many unread bytes (default 4 MiB; see {@link TwilioCallOptions}). */
  maxBufferedBytes?: number;
  /** How long a close waits for the far end's close frame, in ms (default 2000). */
  closeTimeoutMs?: number;
  /**
   * Most stream sockets open at once (default 1000; one that sent `stop` counts until it closes); upgrades
   * beyond it are refused with HTTP 503.
   */
  maxConnections?: number;
  /**
   * On a server of its own (`port`): how long a connection may take to send its upgrade request, in ms
   * (default 10000); a slower one is closed. An attached `server` keeps its own `headersTimeout`.
   */
  handshakeTimeoutMs?: number;
  /** Called by `call.hangup()` before the socket closes, e.g. `(call) => rest.hangup(call.callSid)`. */
  onHangup?: (call: TwilioCall) => Promise<void> | void;
  /** A WebSocket ping to every stream this often, ms; 0 turns keepalive off. Default 20000. */
  keepaliveIntervalMs?: number;
  /**
   * A ping unanswered this long (a dead peer, a half-open connection) terminates the stream's socket; the
   * call ends as a closed stream and the server reports `TIMEOUT`. Default 10000.
   */
  keepaliveTimeoutMs?: number;
}

/** Why an upgrade was refused. */
export interface MediaStreamRejection {
  /** HTTP status sent: 403 for a signature problem, 503 when full or shutting down. */
  status: 403 | 503;
  reason:
    | 'missing_signature'
    | 'bad_signature'
    /** Signed with a SharedKey algorithm this library does not know, or without `sharedKeySecret` set. */
    | 'unsupported_signature'
    /** `maxConnections` streams are already connected. */
    | 'too_many_connections'
    /** `close()` was called. */
    | 'shutting_down';
  remoteAddress: string | undefined;
}

/** Events of a {@link MediaStreamServer}. */
export interface MediaStreamServerEvents {
  /** A new stream connected; listen to the call's `start` for its metadata. */
  call: [call: TwilioCall];
  /** An upgrade was refused (signature check) before any audio flowed. */
  rejected: [rejection: MediaStreamRejection];
  /**
   * A call error that the call itself had no `error` listener for, or a server-level error (a throwing
   * `publicUrl` function or `call` listener). Without a listener it becomes a process warning.
   */
  error: [error: TwilioStreamError, call?: TwilioCall];
}

/**
 * A Twilio Media Streams WebSocket endpoint, listening once {@link createMediaStreamServer} resolves. Close
 * it with `close()` or `await using`.
 */
export class MediaStreamServer extends EventEmitter<MediaStreamServerEvents> implements StartedServer {
  /** Streams currently connected. */
  readonly calls = new Set<TwilioCall>();
  /** The underlying HTTP server (yours, or the one created for `port`). */
  readonly httpServer: Server | HttpsServer;
  /**
   * Stops accepting streams, closes every call with a close frame (1001 going away) and waits for the
   * sockets to close (at most `closeTimeoutMs`, then they are cut); closes the HTTP server too when it
   * created it. Idempotent.
   */
  readonly close: () => Promise<void> = closeOnce(() => this.release());

  private readonly options: MediaStreamServerOptions;
  private readonly wss: WebSocketServer;
  private readonly path: string;
  private readonly ownsServer: boolean;
  private readonly validate: boolean;
  private readonly maxConnections: number;
  /**
   * Calls whose socket is open, until it closes: a stream that sent `stop` but stays open still counts
   * toward `maxConnections` and is still closed by `close()`.
   */
  private readonly open = new Set<TwilioCall>();
  private closing = false;
  private readonly host: string;
  /** @internal Resolves once listening (rejects with the listen error); see {@link createMediaStreamServer}. */
  readonly listening: Promise<void>;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.handleUpgrade(req, socket, head);

  /** @internal Use {@link createMediaStreamServer}. */
  constructor(options: MediaStreamServerOptions) {
    super();
    this.options = options;
    this.path = options.path ?? '/';
    this.validate = options.validateSignature ?? options.authToken !== undefined;
    this.host = options.host ?? '127.0.0.1';
    if (this.validate && !options.authToken) {
      throw new TwilioStreamError('INVALID_CONFIG', 'validateSignature needs authToken');
    }
    if (this.validate && !options.publicUrl) {
      throw new TwilioStreamError(
        'INVALID_CONFIG',
        'signature checking needs publicUrl: the wss:// URL written in your TwiML',
      );
    }
    const rate = options.sampleRate;
    if (rate !== undefined && !(Number.isInteger(rate) && rate > 0 && rate <= 768_000)) {
      // Checked here so that the factory rejects, not each call's upgrade later.
      throw new TwilioStreamError(
        'INVALID_CONFIG',
        `sampleRate must be an integer in 1..768000, got ${rate}`,
      );
    }
    if (options.maxQueueMs !== undefined && !(options.maxQueueMs > 0)) {
      throw new TwilioStreamError('INVALID_CONFIG', `maxQueueMs must be > 0, got ${options.maxQueueMs}`);
    }
    const ka = options.keepaliveIntervalMs;
    const kt = options.keepaliveTimeoutMs;
    if ((ka !== undefined && !(ka >= 0)) || (kt !== undefined && !(kt > 0))) {
      throw new TwilioStreamError(
        'INVALID_CONFIG',
        `keepaliveIntervalMs must be >= 0 and keepaliveTimeoutMs > 0, got ${ka} and ${kt}`,
      );
    }
    this.maxConnections = options.maxConnections ?? 1000;
    if (!(this.maxConnections > 0)) {
      throw new TwilioStreamError(
        'INVALID_CONFIG',
        `maxConnections must be > 0, got ${options.maxConnections}`,
      );
    }
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes ?? 64 * 1024,
      perMessageDeflate: false,
    });
    this.ownsServer = options.server === undefined;
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.httpServer =
      options.server ??
      createServer(
        {
          // A connection that never finishes its upgrade request is closed (Node checks about once a second).
          headersTimeout: handshakeTimeoutMs,
          requestTimeout: handshakeTimeoutMs,
          connectionsCheckingInterval: Math.min(1000, Math.max(50, handshakeTimeoutMs / 2)),
        },
        (_req, res) => {
          res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
        },
      );
    this.httpServer.on('upgrade', this.onUpgrade);
    if (this.ownsServer) {
      const server = this.httpServer;
      // headersTimeout bounds a slow upgrade request; a connection that sends nothing at all is never
      // parsed, so an inactivity timeout closes that one (ws clears it once the socket is upgraded).
      server.timeout = handshakeTimeoutMs;
      this.listening = new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, this.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } else {
      this.listening = Promise.resolve();
    }
  }

  /** The port the server listens on (an attached server's port; 0 while that one is not listening). */
  get port(): number {
    const addr = this.httpServer.address() as AddressInfo | string | null;
    return typeof addr === 'object' && addr !== null ? addr.port : 0;
  }

  /** The `ws://host:port/path` URL of the stream endpoint (what a local simulator connects to). */
  get url(): string {
    const addr = this.httpServer.address() as AddressInfo | string | null;
    const host =
      typeof addr === 'object' && addr !== null && this.ownsServer === false ? addr.address : this.host;
    const shown = host.includes(':') ? `[${host}]` : host;
    return `ws://${shown}:${this.port}${this.path}`;
  }

  /** `await using server = await createMediaStreamServer(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async release(): Promise<void> {
    this.closing = true;
    this.httpServer.off('upgrade', this.onUpgrade);
    await Promise.all([...this.open].map((call) => call.close(1001, 'server shutting down')));
    this.calls.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.ownsServer) {
      const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      // Connections still in their HTTP phase (a half-sent upgrade request) are not left to the timeout.
      (this.httpServer as Server).closeAllConnections();
      await closed;
    }
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const pathname = requestPath(req.url);
    if (pathname !== this.path) {
      // Another upgrade handler of a shared server may own this path; on our own server nobody does.
      if (this.ownsServer)
        refuse(
          socket,
          pathname === undefined ? 400 : 404,
          pathname === undefined ? 'Bad Request' : 'Not Found',
        );
      return;
    }
    if (this.closing || this.open.size >= this.maxConnections) {
      this.reject(req, socket, 503, this.closing ? 'shutting_down' : 'too_many_connections');
      return;
    }
    if (this.validate) {
      let refusal: MediaStreamRejection['reason'] | null;
      try {
        refusal = this.checkSignature(req);
      } catch (err) {
        // A throwing publicUrl function: the request cannot be checked, so it is refused.
        this.report(
          new TwilioStreamError('INVALID_CONFIG', `publicUrl threw: ${String(err)}`, { cause: err }),
        );
        refusal = 'bad_signature';
      }
      if (refusal) {
        this.reject(req, socket, 403, refusal);
        return;
      }
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const callOptions: TwilioCallOptions = {
        maxGapMs: this.options.maxGapMs,
        startTimeoutMs: this.options.startTimeoutMs,
        idleTimeoutMs: this.options.idleTimeoutMs,
        maxBufferedBytes: this.options.maxBufferedBytes,
        closeTimeoutMs: this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
        sampleRate: this.options.sampleRate,
        maxAheadMs: this.options.maxAheadMs,
        progressMarks: this.options.progressMarks,
        maxQueueMs: this.options.maxQueueMs,
        resamplerQuality: this.options.resamplerQuality,
        onHangup: this.options.onHangup,
        onUnhandledError: (error, call) => this.report(error, call),
      };
      const call = new TwilioCall(ws, req, callOptions);
      const interval = this.options.keepaliveIntervalMs ?? 20_000;
      if (interval > 0) {
        const timeoutMs = this.options.keepaliveTimeoutMs ?? 10_000;
        keepAlive(ws, {
          intervalMs: interval,
          timeoutMs,
          onDead: () =>
            this.report(
              new TwilioStreamError('TIMEOUT', `no answer to a ping for ${timeoutMs} ms: stream dropped`),
              call,
            ),
        });
      }
      this.open.add(call);
      ws.once('close', () => this.open.delete(call));
      this.calls.add(call);
      call.once('stop', () => this.calls.delete(call));
      try {
        this.emit('call', call);
      } catch (err) {
        // A throwing 'call' listener must not take the upgrade handler (and the process) down.
        this.report(
          new TwilioStreamError('LISTENER_FAILED', `a 'call' listener threw: ${String(err)}`, { cause: err }),
          call,
        );
      }
    });
  }

  private report(error: TwilioStreamError, call?: TwilioCall): void {
    if (this.listenerCount('error') > 0) this.emit('error', error, call);
    else emitError(this, error);
  }

  /** @returns why the upgrade's signature is refused, or null when it is valid */
  private checkSignature(req: IncomingMessage): MediaStreamRejection['reason'] | null {
    const header = req.headers['x-twilio-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature) return 'missing_signature';
    const settingsHeader = req.headers['x-twilio-webhooks-signature-settings'];
    const settings = Array.isArray(settingsHeader) ? settingsHeader[0] : settingsHeader;
    const algorithm = signatureAlgorithm(settings);
    // A SharedKey-signed upgrade is checked with the SharedKey secret, never with the auth token.
    const secret = settings ? this.options.sharedKeySecret : this.options.authToken;
    if (algorithm === undefined || !secret) return 'unsupported_signature';
    const url =
      typeof this.options.publicUrl === 'function'
        ? this.options.publicUrl(req)
        : (this.options.publicUrl ?? '');
    return validateTwilioSignature(secret, signature, url, {}, { algorithm }) ? null : 'bad_signature';
  }

  private reject(
    req: IncomingMessage,
    socket: Duplex,
    status: MediaStreamRejection['status'],
    reason: MediaStreamRejection['reason'],
  ): void {
    refuse(socket, status, status === 403 ? 'Forbidden' : 'Service Unavailable');
    this.emit('rejected', { status, reason, remoteAddress: req.socket.remoteAddress });
  }
}

/**
 * The path of a request target, or undefined when the target is no URL (`//x:abc`): `new URL()` throws on
 * those, and a throw out of an `upgrade` listener would take the whole process down.
 */
function requestPath(target: string | undefined): string | undefined {
  const base = 'http://localhost';
  return URL.canParse(target ?? '/', base) ? new URL(target ?? '/', base).pathname : undefined;
}

function refuse(socket: Duplex, status: number, text: string): void {
  // Destroy only after the response is flushed, or the client sees a reset instead of the status.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Accepts Twilio Media Streams on an existing HTTP(S) server or on its own port; resolves once listening
 * (rejects with the listen error, e.g. `EADDRINUSE`).
 *
 * @example
 * ```ts
 * const server = await createMediaStreamServer({ port: 8080, path: '/media', authToken, publicUrl: 'wss://example.com/media' });
 * server.on('call', (call) => {
 *   call.on('audio', (frame) => model.sendAudio(frame)); // pcmu bytes as Twilio sent them
 *   model.on('audio', (frame) => call.sendAudio(frame)); // pcmu passes through; PCM is resampled and encoded
 * });
 * ```
 * @throws TwilioStreamError `INVALID_CONFIG` for unusable options (thrown before anything listens)
 */
export async function createMediaStreamServer(options: MediaStreamServerOptions): Promise<MediaStreamServer> {
  const server = new MediaStreamServer(options);
  try {
    await server.listening;
  } catch (err) {
    await server.close().catch(() => {});
    throw err;
  }
  return server;
}
