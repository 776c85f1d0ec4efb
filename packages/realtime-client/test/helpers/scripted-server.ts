// A real loopback WebSocket server that plays the OpenAI Realtime side from recorded GA event sequences
// (test/fixtures/*.json). It records every client event so tests can assert on what actually went over the
// wire, and can drop, stall or corrupt the connection on cue.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A client event as received (parsed JSON). */
export type Received = { type: string; [key: string]: unknown };
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** Values substituted for `"$NAME"` placeholders; arrays feed `{"$each": "NAME", "event": …}` entries. */
export type ReplayVars = Record<string, string | number | string[]>;

let eventCounter = 0;

function substitute(value: Json, vars: ReplayVars, item?: string): Json {
  if (typeof value === 'string') {
    if (value === '$ITEM' && item !== undefined) return item;
    if (value.startsWith('$') && value.slice(1) in vars) {
      const v = vars[value.slice(1)];
      if (Array.isArray(v)) throw new Error(`${value} is a list; use $each`);
      return v;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars, item));
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, vars, item);
    return out;
  }
  return value;
}

/** Expands a recorded sequence into concrete server events. */
export function loadSequence(name: string, vars: ReplayVars = {}): Received[] {
  const raw = JSON.parse(readFileSync(join(fixturesDir, `${name}.json`), 'utf8')) as Json[];
  const out: Received[] = [];
  for (const entry of raw) {
    const e = entry as { [key: string]: Json };
    if (typeof e.$each === 'string') {
      const list = vars[e.$each];
      if (!Array.isArray(list)) throw new Error(`$each ${e.$each} needs a list`);
      for (const item of list) out.push(substitute(e.event, vars, item) as Received);
    } else out.push(substitute(entry, vars) as Received);
  }
  for (const ev of out) if (ev.event_id === undefined) ev.event_id = `event_srv${++eventCounter}`;
  return out;
}

/** One client connection as the server sees it. */
export class ScriptedConnection {
  readonly received: Received[] = [];
  private waiters: Array<{ test: (e: Received) => boolean; resolve: (e: Received) => void }> = [];
  private handlers = new Map<string, Array<(e: Received) => void>>();
  closed = false;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let ev: Received;
      try {
        ev = JSON.parse(data.toString()) as Received;
      } catch {
        ev = { type: '__unparseable__', raw: data.toString() };
      }
      this.received.push(ev);
      for (const h of this.handlers.get(ev.type) ?? []) h(ev);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(ev)) return true;
        w.resolve(ev);
        return false;
      });
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Client events of one type, in order. */
  ofType(type: string): Received[] {
    return this.received.filter((e) => e.type === type);
  }

  /** Resolves with the next client event (already received ones count) matching `type` and `test`. */
  waitFor(type: string, test: (e: Received) => boolean = () => true, from = 0): Promise<Received> {
    const match = (e: Received) => e.type === type && test(e);
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test: match, resolve }));
  }

  /** Runs `handler` for every client event of `type` from now on. */
  on(type: string, handler: (e: Received) => void): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
  }

  /** Sends server events. */
  send(...events: Received[]): void {
    for (const ev of events) {
      if (ev.event_id === undefined) ev.event_id = `event_srv${++eventCounter}`;
      this.socket.send(JSON.stringify(ev));
    }
  }

  /** Sends a raw text frame (for malformed input). */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** Replays a recorded sequence. */
  replay(name: string, vars: ReplayVars = {}): Received[] {
    const events = loadSequence(name, vars);
    this.send(...events);
    return events;
  }

  /** Kills the TCP connection without a closing handshake (a network drop). */
  drop(): void {
    this.socket.terminate();
  }

  /** Stops reading from the client (a stalled peer): the client's socket buffers fill up. */
  pause(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  }
}

export interface ScriptedServerOptions {
  /** Answer `session.update` with `session.updated` (default true). */
  autoSessionUpdated?: boolean;
}

/** The server: a `ws` WebSocketServer on 127.0.0.1, ephemeral port. */
export class ScriptedRealtimeServer {
  readonly connections: ScriptedConnection[] = [];
  private connectionWaiters: Array<(c: ScriptedConnection) => void> = [];
  /** Headers of each upgrade request. */
  readonly upgradeHeaders: Array<Record<string, string | string[] | undefined>> = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
    opts: ScriptedServerOptions,
  ) {
    wss.on('connection', (socket, req) => {
      this.upgradeHeaders.push(req.headers);
      const conn = new ScriptedConnection(socket);
      this.connections.push(conn);
      let session: Record<string, unknown> = {
        type: 'realtime',
        object: 'realtime.session',
        id: `sess_${this.connections.length}`,
      };
      conn.send({ type: 'session.created', session });
      if (opts.autoSessionUpdated !== false) {
        conn.on('session.update', (e) => {
          session = { ...session, ...(e.session as Record<string, unknown>) };
          conn.send({ type: 'session.updated', session });
        });
      }
      const waiters = this.connectionWaiters;
      this.connectionWaiters = [];
      for (const w of waiters) w(conn);
    });
  }

  static start(opts: ScriptedServerOptions = {}): Promise<ScriptedRealtimeServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/realtime' });
      wss.once('error', reject);
      wss.once('listening', () => {
        const { port } = wss.address() as AddressInfo;
        resolve(new ScriptedRealtimeServer(wss, `ws://127.0.0.1:${port}/v1/realtime`, opts));
      });
    });
  }

  /** The `n`-th connection (0-based), once it exists. */
  connection(n: number): Promise<ScriptedConnection> {
    if (this.connections[n]) return Promise.resolve(this.connections[n]);
    return new Promise((resolve) => {
      const check = (c: ScriptedConnection) => {
        if (this.connections[n]) resolve(this.connections[n]);
        else this.connectionWaiters.push(check);
        void c;
      };
      this.connectionWaiters.push(check);
    });
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

/** Resolves on the next emission of a client event (subscribe with `once`). */
export function nextEvent<T>(subscribe: (listener: (value: T) => void) => unknown): Promise<T> {
  return new Promise((resolve) => {
    subscribe(resolve);
  });
}
