import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import {
  closeOnce,
  closeWebSocket,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type ListenOptions,
  type StartedServer,
} from '@voxwire/core';
import { WebSocket, WebSocketServer } from 'ws';
import { browserClientPath, browserDemoPage } from './browser-client.js';
import { WebRtcError } from './errors.js';
import { WebRtcAudioPeer, type WebRtcAudioPeerOptions } from './peer.js';
import {
  parseClientMessage,
  type SignalingClientMessage,
  type SignalingServerMessage,
} from './signaling-messages.js';

/** Who opened a server-side session: handed to the `onPeer` handler with the new peer. */
export interface SignalingSession {
  /** The session id chosen by the client in its `offer`. */
  id: string;
  /** The server-assigned id of the WebSocket client. */
  clientId: string;
  /** The room the client had joined, if any. */
  room: string | undefined;
  /** The HTTP upgrade request (headers, URL), for application-level routing. */
  request: IncomingMessage;
}

/** Options for {@link createSignalingServer}. */
export interface SignalingServerOptions extends ListenOptions {
  /**
   * Attach to this HTTP server (its upgrade requests on `path`) instead of listening on a server of our own
   * (`port`, default 0: a free one; `host`, default `127.0.0.1`).
   */
  server?: Server;
  /** URL path of the WebSocket; the browser client is served at `<path>/client.js`. Default `/webrtc`. */
  path?: string;
  /**
   * Decides whether an upgrade request may connect (look at headers, query tokens). Refused requests get
   * HTTP 401 and no WebSocket.
   */
  authenticate?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /** Options for the server-side peers created for client offers. */
  peer?: WebRtcAudioPeerOptions;
  /** Called with each new server-side peer, before the offer is answered (subscribe to `audio` here). */
  onPeer?: (peer: WebRtcAudioPeer, session: SignalingSession) => void;
  /**
   * Serve the browser client (`<path>/client.js`) and a demo page (`<path>/`) over HTTP. Default true on a
   * server of our own; an attached `server` keeps its own request handler, which can call
   * {@link SignalingServer.handleRequest}.
   */
  serveClient?: boolean;
  /** Largest signaling message accepted, bytes (default 256 KiB); a larger one closes the connection with 1009. */
  maxMessageBytes?: number;
  /** Most WebSocket clients connected at once (default 1000); more upgrades are refused with HTTP 503. */
  maxClients?: number;
  /**
   * Most server-side sessions (peers answering this client's offers) one connection may hold (default 4); an
   * offer beyond it is answered with an `error` of code `LIMIT_EXCEEDED`.
   */
  maxSessionsPerClient?: number;
  /**
   * Most bytes waiting unread in one client's send buffer (default 1 MiB). A client that stops reading while
   * a room peer or the server keeps sending to it is closed with 1008 instead of growing the server.
   */
  maxBufferedBytes?: number;
  /**
   * Messages of one client waiting to be handled (they run one at a time: an offer waits for ICE gathering)
   * before the server stops reading that socket until they are done (default 32): backpressure, not an error.
   */
  maxPendingMessages?: number;
  /**
   * Ping every client this often, in ms (default 30000; 0 = never); one that has not answered the previous
   * ping is dropped. This also ends connections stalled half-way through a frame, which cannot answer.
   */
  pingIntervalMs?: number;
  /** How long a close waits for the client's close frame before the socket is destroyed, in ms (default 2000). */
  closeTimeoutMs?: number;
  /**
   * On a server of its own: how long a connection may take to send its upgrade request, in ms
   * (default 10000). An attached `server` keeps its own timeouts.
   */
  handshakeTimeoutMs?: number;
}

/** Defaults of the signaling server's limits (see {@link SignalingServerOptions}). */
export const SIGNALING_LIMITS = {
  maxMessageBytes: 256 * 1024,
  maxClients: 1000,
  maxSessionsPerClient: 4,
  maxBufferedBytes: 1024 * 1024,
  maxPendingMessages: 32,
  pingIntervalMs: 30_000,
  closeTimeoutMs: DEFAULT_CLOSE_TIMEOUT_MS,
  handshakeTimeoutMs: 10_000,
} as const;

/** Events of a {@link SignalingServer}. */
export interface SignalingServerEvents {
  /** A server-side peer was created for a client offer. */
  peer: [peer: WebRtcAudioPeer, session: SignalingSession];
  /** A WebSocket client connected. */
  client: [clientId: string];
  /** A WebSocket client went away; its sessions are closed. */
  'client-close': [clientId: string];
  /**
   * A client sent something invalid and was told with an `error` message, or was dropped for a limit
   * (`LIMIT_EXCEEDED`: it stopped reading). For logging.
   */
  'protocol-error': [error: WebRtcError, clientId: string];
}

interface Client {
  id: string;
  ws: WebSocket;
  request: IncomingMessage;
  room: string | undefined;
  /** Server-side sessions of this client, by session id. */
  sessions: Map<string, WebRtcAudioPeer>;
  /** Messages received and not yet handled. */
  pending: number;
  /** Whether the client answered the last ping. */
  alive: boolean;
  /** Set once the client is being dropped: its late messages are ignored. */
  gone: boolean;
}

/**
 * WebSocket JSON signaling: clients exchange `offer`/`answer`/`candidate`/`bye` with the server's own peers
 * (messages without `to`) or with each other inside a room (messages with `to`). Start it with
 * `await createSignalingServer(options)`; `close()` (or `await using`) stops it.
 */
export class SignalingServer extends EventEmitter<SignalingServerEvents> implements StartedServer {
  /** The HTTP server carrying the WebSocket (ours when created with `port`). */
  readonly httpServer: Server;
  /** The WebSocket path. */
  readonly path: string;

  private readonly wss: WebSocketServer;
  private readonly ownsServer: boolean;
  private readonly options: SignalingServerOptions;
  private readonly clients = new Map<string, Client>();
  private readonly rooms = new Map<string, Set<string>>();
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private readonly onRequest: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private closed = false;
  private authenticating = 0;
  private clientSource: Buffer | undefined;
  private readonly limits: { -readonly [K in keyof typeof SIGNALING_LIMITS]: number };
  private readonly heartbeat: NodeJS.Timeout | null;

  /** @internal use {@link createSignalingServer} */
  constructor(httpServer: Server, ownsServer: boolean, options: SignalingServerOptions) {
    super();
    this.httpServer = httpServer;
    this.ownsServer = ownsServer;
    this.options = options;
    this.path = (options.path ?? '/webrtc').replace(/\/+$/, '') || '/';
    this.limits = { ...SIGNALING_LIMITS };
    for (const key of Object.keys(SIGNALING_LIMITS) as (keyof typeof SIGNALING_LIMITS)[]) {
      const v = options[key];
      if (v === undefined) continue;
      if (!(typeof v === 'number' && v >= 0 && (v > 0 || key === 'pingIntervalMs'))) {
        throw new WebRtcError('INVALID_ARGUMENT', `${key} must be a positive number, got ${String(v)}`);
      }
      this.limits[key] = v;
    }
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.maxMessageBytes,
      perMessageDeflate: false,
    });
    const ping = this.limits.pingIntervalMs;
    this.heartbeat = ping > 0 ? setInterval(() => this.pingAll(), ping) : null;
    this.heartbeat?.unref();
    if (ownsServer) {
      // headersTimeout bounds a slow upgrade request; a connection that sends nothing is never parsed, so an
      // inactivity timeout closes that one (ws clears it once the socket is upgraded).
      httpServer.headersTimeout = this.limits.handshakeTimeoutMs;
      httpServer.requestTimeout = this.limits.handshakeTimeoutMs;
      httpServer.timeout = this.limits.handshakeTimeoutMs;
    }
    this.onUpgrade = (req, socket, head) => void this.handleUpgrade(req, socket, head);
    httpServer.on('upgrade', this.onUpgrade);
    if (ownsServer && options.serveClient !== false) {
      this.onRequest = (req, res) => {
        if (!this.handleRequest(req, res)) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
        }
      };
      httpServer.on('request', this.onRequest);
    }
  }

  /**
   * Port the HTTP server listens on.
   * @throws WebRtcError `INVALID_STATE` when an attached server is not listening (yet)
   */
  get port(): number {
    return this.address().port;
  }

  /** `ws://host:port/path` of the signaling endpoint (`wss://` when the HTTP server is an HTTPS one). */
  get url(): string {
    return `${this.secure() ? 'wss' : 'ws'}://${this.hostForUrl()}:${this.port}${this.path}`;
  }

  /** `http://host:port/path/` of the demo page (when `serveClient` is on; `https://` over TLS). */
  get pageUrl(): string {
    return `${this.secure() ? 'https' : 'http'}://${this.hostForUrl()}:${this.port}${this.path === '/' ? '' : this.path}/`;
  }

  /** Whether the HTTP server speaks TLS (an `https.Server` is a `tls.Server`). */
  private secure(): boolean {
    return this.httpServer instanceof TlsServer;
  }

  /** Connected WebSocket clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Open server-side sessions over all clients. */
  get sessionCount(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.sessions.size;
    return n;
  }

  /**
   * Closes every session and WebSocket (close frame 1001 going away, waiting for the client's answer at most
   * `closeTimeoutMs`), and the HTTP server when it is ours (an attached server is left running with our
   * listeners removed). Safe to call more than once.
   */
  readonly close: () => Promise<void> = closeOnce(() => this.shutdown());

  /** `await using server = await createSignalingServer()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.httpServer.off('upgrade', this.onUpgrade);
    if (this.onRequest) this.httpServer.off('request', this.onRequest);
    const closing: Promise<void>[] = [];
    for (const client of this.clients.values()) {
      closing.push(this.dropClient(client, 1001, 'server closing'));
    }
    await Promise.all(closing);
    this.wss.close();
    if (this.ownsServer) {
      const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      this.httpServer.closeAllConnections();
      await closed;
    }
  }

  private pingAll(): void {
    for (const client of this.clients.values()) {
      if (!client.alive) {
        // No pong since the last ping: gone, or stalled half-way through a frame.
        void this.dropClient(client, 1001, 'no pong');
        continue;
      }
      client.alive = false;
      if (client.ws.readyState === WebSocket.OPEN) client.ws.ping();
    }
  }

  private address(): AddressInfo {
    const addr = this.httpServer.address();
    if (addr === null || typeof addr === 'string') {
      throw new WebRtcError('INVALID_STATE', 'the HTTP server is not listening on a TCP port');
    }
    return addr;
  }

  private hostForUrl(): string {
    const addr = this.address();
    if (addr.address === '::' || addr.address === '0.0.0.0') return '127.0.0.1';
    return addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  }

  /**
   * Serves the browser client at `<path>/client.js` and the demo page at `<path>/` for GET requests.
   * @returns true when the request was one of those and has been answered
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = requestPath(req.url);
    if (pathname === undefined) return false;
    const base = this.path === '/' ? '' : this.path;
    if (pathname === `${base}/client.js`) {
      this.clientSource ??= readFileSync(browserClientPath);
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : this.clientSource);
      return true;
    }
    if (pathname === `${base}/` || pathname === base) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : browserDemoPage('./client.js', this.path));
      return true;
    }
    return false;
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const pathname = requestPath(req.url);
    if (pathname !== this.path) {
      // Another handler on a shared server may own this path; on our own server nobody does.
      if (this.ownsServer) refuse(socket, pathname === undefined ? '400 Bad Request' : '404 Not Found');
      return;
    }
    // Upgrades still being authenticated count too, or a slow `authenticate` would let a flood through.
    if (this.closed || this.clients.size + this.authenticating >= this.limits.maxClients) {
      refuse(socket, '503 Service Unavailable');
      return;
    }
    if (this.options.authenticate) {
      let ok = false;
      this.authenticating++;
      try {
        ok = await this.options.authenticate(req);
      } catch {
        ok = false;
      } finally {
        this.authenticating--;
      }
      if (!ok) {
        refuse(socket, '401 Unauthorized');
        return;
      }
    }
    if (this.closed) {
      refuse(socket, '503 Service Unavailable');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.addClient(ws, req));
  }

  private addClient(ws: WebSocket, request: IncomingMessage): void {
    const client: Client = {
      id: randomUUID(),
      ws,
      request,
      room: undefined,
      sessions: new Map(),
      pending: 0,
      alive: true,
      gone: false,
    };
    this.clients.set(client.id, client);
    ws.on('pong', () => {
      client.alive = true;
    });
    // Messages of one client are handled in order: a candidate must not overtake the offer it belongs to.
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      if (isBinary) {
        this.protocolError(
          client,
          new WebRtcError('PROTOCOL_ERROR', 'binary frames are not signaling; send JSON text'),
        );
        return;
      }
      const text = data.toString();
      // Backpressure: a client that sends faster than its messages are handled is not read for a while.
      if (++client.pending >= this.limits.maxPendingMessages) ws.pause();
      // handleMessage reports its own failures to the client; the catch only keeps the chain alive.
      chain = chain
        .then(() => this.handleMessage(client, text))
        .catch(() => {})
        .finally(() => {
          if (--client.pending < this.limits.maxPendingMessages && !client.gone) ws.resume();
        });
    });
    ws.on('close', () => void this.dropClient(client));
    ws.on('error', () => void this.dropClient(client));
    this.send(client, { type: 'welcome', peerId: client.id });
    this.emit('client', client.id);
  }

  private async dropClient(client: Client, code?: number, reason?: string): Promise<void> {
    if (!this.clients.delete(client.id)) return;
    client.gone = true;
    this.leaveRoom(client);
    const peers = [...client.sessions.values()];
    client.sessions.clear();
    await Promise.all([
      closeWebSocket(client.ws, code ?? 1000, reason ?? '', this.limits.closeTimeoutMs),
      ...peers.map((p) => p.close()),
    ]);
    this.emit('client-close', client.id);
  }

  private send(client: Client, msg: SignalingServerMessage): void {
    if (client.gone || client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      // It stopped reading: keeping on queueing for it would grow the server without bound. Its close
      // frame waits behind what it did not read, so the reason goes to the server's log too.
      const err = new WebRtcError(
        'LIMIT_EXCEEDED',
        `not reading: ${client.ws.bufferedAmount} bytes wait unread (maxBufferedBytes ${this.limits.maxBufferedBytes}); closing with 1008`,
      );
      if (this.listenerCount('protocol-error') > 0) this.emit('protocol-error', err, client.id);
      void this.dropClient(client, 1008, 'not reading');
      return;
    }
    client.ws.send(JSON.stringify(msg));
  }

  private protocolError(client: Client, err: WebRtcError, id?: string): void {
    this.send(
      client,
      id === undefined
        ? { type: 'error', code: err.code, message: err.message }
        : {
            type: 'error',
            code: err.code,
            message: err.message,
            id,
          },
    );
    if (this.listenerCount('protocol-error') > 0) this.emit('protocol-error', err, client.id);
  }

  private async handleMessage(client: Client, text: string): Promise<void> {
    if (client.gone) return; // queued before the client left: nothing to answer, nothing to create
    let msg: SignalingClientMessage;
    try {
      msg = parseClientMessage(text);
    } catch (err) {
      this.protocolError(client, err as WebRtcError);
      return;
    }
    const id = 'id' in msg ? msg.id : undefined;
    try {
      if ('to' in msg && msg.to !== undefined) {
        this.relay(client, msg, msg.to);
        return;
      }
      switch (msg.type) {
        case 'ping':
          this.send(client, { type: 'pong' });
          return;
        case 'join':
          this.joinRoom(client, msg.room);
          return;
        case 'leave':
          this.leaveRoom(client);
          return;
        case 'offer':
          await this.openSession(client, msg.id, msg.sdp);
          return;
        case 'candidate': {
          const peer = this.session(client, msg.id);
          await peer.addIceCandidate(msg.candidate);
          return;
        }
        case 'bye': {
          const peer = this.session(client, msg.id);
          client.sessions.delete(msg.id);
          await peer.close();
          return;
        }
        case 'answer':
          throw new WebRtcError(
            'INVALID_STATE',
            'the server does not make offers; "answer" needs a "to" peer',
          );
      }
    } catch (err) {
      const e =
        err instanceof WebRtcError
          ? err
          : new WebRtcError('INTERNAL', String((err as Error)?.message ?? err));
      this.protocolError(client, e, id);
    }
  }

  private session(client: Client, id: string): WebRtcAudioPeer {
    const peer = client.sessions.get(id);
    if (!peer) throw new WebRtcError('NOT_FOUND', `no session "${id}" on this connection`);
    return peer;
  }

  private async openSession(client: Client, id: string, sdp: string): Promise<void> {
    if (client.sessions.has(id)) throw new WebRtcError('INVALID_STATE', `session "${id}" already exists`);
    if (client.sessions.size >= this.limits.maxSessionsPerClient) {
      throw new WebRtcError(
        'LIMIT_EXCEEDED',
        `this connection already has ${client.sessions.size} sessions (maxSessionsPerClient); send "bye" for one first`,
      );
    }
    // Session ids are chosen by clients and may repeat across clients; the peer id is unique server-wide.
    const peer = new WebRtcAudioPeer({ ...this.options.peer, id: `${client.id}/${id}` });
    client.sessions.set(id, peer);
    // Errors of a server-side session go to its client, never to an unhandled 'error' event.
    peer.on('error', (err) => this.protocolError(client, err, id));
    peer.on('close', () => {
      if (client.sessions.get(id) === peer) {
        client.sessions.delete(id);
        this.send(client, { type: 'bye', id, reason: 'closed' });
      }
    });
    const session: SignalingSession = { id, clientId: client.id, room: client.room, request: client.request };
    try {
      this.options.onPeer?.(peer, session);
      this.emit('peer', peer, session);
      const answer = await peer.acceptOffer(sdp);
      if (client.sessions.get(id) !== peer) {
        // Closed while answering (bye, or the client left): make sure nothing of it stays.
        await peer.close();
        return;
      }
      this.send(client, { type: 'answer', id, sdp: answer });
    } catch (err) {
      client.sessions.delete(id);
      await peer.close();
      throw err;
    }
  }

  private relay(client: Client, msg: SignalingClientMessage, to: string): void {
    const target = this.clients.get(to);
    if (!target || client.room === undefined || target.room !== client.room) {
      throw new WebRtcError('NOT_FOUND', `peer "${to}" is not in your room`);
    }
    switch (msg.type) {
      case 'offer':
      case 'answer':
        this.send(target, { type: msg.type, id: msg.id, sdp: msg.sdp, from: client.id });
        return;
      case 'candidate':
        this.send(target, { type: 'candidate', id: msg.id, candidate: msg.candidate, from: client.id });
        return;
      case 'bye':
        this.send(target, { type: 'bye', id: msg.id, from: client.id });
        return;
      default:
        throw new WebRtcError('PROTOCOL_ERROR', `"${msg.type}" cannot be relayed`);
    }
  }

  private joinRoom(client: Client, room: string): void {
    this.leaveRoom(client);
    let members = this.rooms.get(room);
    if (!members) {
      members = new Set();
      this.rooms.set(room, members);
    }
    const others = [...members];
    members.add(client.id);
    client.room = room;
    this.send(client, { type: 'joined', room, peers: others });
    for (const other of others) {
      const c = this.clients.get(other);
      if (c) this.send(c, { type: 'peer-joined', room, peerId: client.id });
    }
  }

  private leaveRoom(client: Client): void {
    const room = client.room;
    if (room === undefined) return;
    client.room = undefined;
    const members = this.rooms.get(room);
    if (!members) return;
    members.delete(client.id);
    if (members.size === 0) this.rooms.delete(room);
    for (const other of members) {
      const c = this.clients.get(other);
      if (c) this.send(c, { type: 'peer-left', room, peerId: client.id });
    }
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket once the answer is flushed. */
/**
 * The path of a request target, or undefined when the target is no URL (`//x:abc`): `new URL()` throws on
 * those, and a throw out of a `request` or `upgrade` listener would take the whole process down.
 */
function requestPath(target: string | undefined): string | undefined {
  const base = 'http://localhost';
  return URL.canParse(target ?? '/', base) ? new URL(target ?? '/', base).pathname : undefined;
}

function refuse(socket: Duplex, status: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Starts a signaling server: listening on a server of its own when the promise resolves (`port` default 0,
 * a free port; `host` default `127.0.0.1`), or attached to the HTTP server given as `server`.
 * @throws WebRtcError `INVALID_ARGUMENT` for an out-of-range limit; the listen error (`EADDRINUSE`, …)
 */
export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  if (options.server) return new SignalingServer(options.server, false, options);
  const http = createServer();
  const server = new SignalingServer(http, true, options);
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Nothing of a server that could not listen may stay behind (its heartbeat timer, its listeners).
    await server.close();
    throw err;
  }
  return server;
}
