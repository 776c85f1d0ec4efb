import { EventEmitter } from 'node:events';
import type { AudioFrame } from '@voxwire/codecs';
import { type AsyncCloseable, closeOnce } from '@voxwire/core';
import { WebRtcError } from './errors.js';
import { type AudioFrameInfo, WebRtcAudioPeer, type WebRtcAudioPeerOptions } from './peer.js';
import {
  createSignalingServer,
  type SignalingServer,
  type SignalingServerOptions,
  type SignalingSession,
} from './signaling-server.js';

/** What the manager says about a frame of one of its connections: the peer's info plus which connection. */
export interface ConnectionAudioInfo extends AudioFrameInfo {
  /** The id of the connection (peer) the frame came from. */
  connectionId: string;
}

/** Receives the decoded audio of one connection (or of all, with the connection named in `info`). */
export type ConnectionAudioHandler = (frame: AudioFrame, info: ConnectionAudioInfo) => void;

/** Options for {@link WebRtcManager}. */
export interface WebRtcManagerOptions {
  /** Defaults for every peer the manager creates (also those created by its signaling server). */
  peer?: WebRtcAudioPeerOptions;
  /** Audio of every connection, with its id in `info.connectionId` (OpenClaw's `on_audio_frame`). */
  onAudio?: ConnectionAudioHandler;
}

/** Events of a {@link WebRtcManager}. */
export interface WebRtcManagerEvents {
  /** A connection was added (created, or opened by a signaling client). */
  connection: [peer: WebRtcAudioPeer, session: SignalingSession | undefined];
  /** Audio of any connection (the frame is the listener's to keep; `info.connectionId` says whose). */
  audio: [frame: AudioFrame, info: ConnectionAudioInfo];
  /** A connection closed and was removed. */
  'connection-close': [connectionId: string];
  /** A connection reported an error (it keeps running unless it closed). */
  'connection-error': [connectionId: string, error: WebRtcError];
}

/**
 * Tracks many {@link WebRtcAudioPeer} connections by id: create or adopt them, route each one's audio to
 * per-connection and global handlers, close one or all. `startSignaling` puts a signaling server in front
 * whose sessions become connections of this manager. `close()` (or `await using`) closes every connection
 * and every signaling server it started.
 */
export class WebRtcManager extends EventEmitter<WebRtcManagerEvents> implements AsyncCloseable {
  private readonly peers = new Map<string, WebRtcAudioPeer>();
  private readonly handlers = new Map<string, Set<ConnectionAudioHandler>>();
  private readonly options: WebRtcManagerOptions;
  private readonly servers = new Set<SignalingServer>();
  private closed = false;

  constructor(options: WebRtcManagerOptions = {}) {
    super();
    this.options = options;
  }

  /** Number of open connections. */
  get size(): number {
    return this.peers.size;
  }

  /** Ids of the open connections. */
  ids(): string[] {
    return [...this.peers.keys()];
  }

  /** The open connections. */
  connections(): WebRtcAudioPeer[] {
    return [...this.peers.values()];
  }

  /**
   * Creates a connection with the manager's peer defaults overridden by `options`.
   * @throws WebRtcError `INVALID_STATE` when the id is taken, `CLOSED` after `close()`
   */
  createConnection(options: WebRtcAudioPeerOptions = {}): WebRtcAudioPeer {
    this.assertOpen();
    const peer = new WebRtcAudioPeer({ ...this.options.peer, ...options });
    this.add(peer);
    return peer;
  }

  /**
   * Adopts a peer created elsewhere; it is removed again when it closes.
   * @throws WebRtcError `INVALID_STATE` when another connection has the same id or the peer is closed,
   *   `CLOSED` after `close()`
   */
  add(peer: WebRtcAudioPeer, session?: SignalingSession): void {
    this.assertOpen();
    if (this.peers.has(peer.id))
      throw new WebRtcError('INVALID_STATE', `connection "${peer.id}" already exists`);
    if (peer.isClosed) throw new WebRtcError('INVALID_STATE', `connection "${peer.id}" is closed`);
    const id = peer.id;
    this.peers.set(id, peer);
    peer.on('audio', (frame, info) => {
      const tagged: ConnectionAudioInfo = {
        sequenceNumber: info.sequenceNumber,
        timestamp: info.timestamp,
        concealed: info.concealed,
        connectionId: id,
      };
      this.options.onAudio?.(frame, tagged);
      const set = this.handlers.get(id);
      if (set) for (const h of set) h(frame, tagged);
      this.emit('audio', frame, tagged);
    });
    peer.on('error', (err) => {
      if (this.listenerCount('connection-error') > 0) this.emit('connection-error', id, err);
    });
    peer.once('close', () => {
      if (this.peers.get(id) === peer) {
        this.peers.delete(id);
        this.handlers.delete(id);
        this.emit('connection-close', id);
      }
    });
    this.emit('connection', peer, session);
  }

  /** The connection with this id, if open. */
  get(id: string): WebRtcAudioPeer | undefined {
    return this.peers.get(id);
  }

  /**
   * Subscribes to the audio of one connection.
   * @returns a function that unsubscribes
   * @throws WebRtcError `NOT_FOUND` when there is no such connection
   */
  onAudio(id: string, handler: ConnectionAudioHandler): () => void {
    if (!this.peers.has(id)) throw new WebRtcError('NOT_FOUND', `no connection "${id}"`);
    let set = this.handlers.get(id);
    if (!set) {
      set = new Set();
      this.handlers.set(id, set);
    }
    set.add(handler);
    return () => {
      this.handlers.get(id)?.delete(handler);
    };
  }

  /** Closes one connection; resolves when it is closed (at once when there is none). */
  async closeConnection(id: string): Promise<void> {
    await this.peers.get(id)?.close();
  }

  /**
   * Closes every connection and every signaling server started by {@link startSignaling}; the manager takes
   * no new connections afterwards. Safe to call more than once.
   */
  readonly close: () => Promise<void> = closeOnce(async () => {
    this.closed = true;
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all([...servers.map((s) => s.close()), ...[...this.peers.values()].map((p) => p.close())]);
  });

  /** `await using manager = new WebRtcManager()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Starts a signaling server whose client sessions become connections of this manager (with the
   * manager's peer defaults unless `options.peer` says otherwise). Closed by {@link close}.
   * @throws WebRtcError `CLOSED` after `close()`
   */
  async startSignaling(options: Omit<SignalingServerOptions, 'onPeer'> = {}): Promise<SignalingServer> {
    this.assertOpen();
    const server = await createSignalingServer({
      ...options,
      peer: options.peer ?? this.options.peer,
      onPeer: (peer, session) => this.add(peer, session),
    });
    if (this.closed) {
      // Closed while the server was starting: it must not outlive the manager.
      await server.close();
      throw new WebRtcError('CLOSED', 'WebRtcManager closed while its signaling server started');
    }
    this.servers.add(server);
    return server;
  }

  private assertOpen(): void {
    if (this.closed) throw new WebRtcError('CLOSED', 'WebRtcManager is closed');
  }
}
