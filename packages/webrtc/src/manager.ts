import { EventEmitter } from 'node:events';
import { WebRtcError } from './errors.js';
import { type AudioFrameInfo, WebRtcAudioPeer, type WebRtcAudioPeerOptions } from './peer.js';
import {
  createSignalingServer,
  type SignalingServer,
  type SignalingServerOptions,
  type SignalingSession,
} from './signaling-server.js';

/** Receives the decoded audio of one connection. */
export type ConnectionAudioHandler = (pcm: Int16Array, info: AudioFrameInfo) => void;

/** Options for {@link WebRtcManager}. */
export interface WebRtcManagerOptions {
  /** Defaults for every peer the manager creates (also those created by its signaling server). */
  peer?: WebRtcAudioPeerOptions;
  /** Audio of every connection, tagged with its id (OpenClaw's `on_audio_frame`). */
  onAudio?: (connectionId: string, pcm: Int16Array, info: AudioFrameInfo) => void;
}

/** Events of a {@link WebRtcManager}. */
export interface WebRtcManagerEvents {
  /** A connection was added (created, or opened by a signaling client). */
  connection: [peer: WebRtcAudioPeer, session: SignalingSession | undefined];
  /** Audio of any connection. */
  audio: [connectionId: string, pcm: Int16Array, info: AudioFrameInfo];
  /** A connection closed and was removed. */
  'connection-close': [connectionId: string];
  /** A connection reported an error (it keeps running unless it closed). */
  'connection-error': [connectionId: string, error: WebRtcError];
}

/**
 * Tracks many {@link WebRtcAudioPeer} connections by id: create or adopt them, route each one's audio to
 * per-connection and global handlers, close one or all. `startSignaling` puts a signaling server in front
 * whose sessions become connections of this manager.
 */
export class WebRtcManager extends EventEmitter<WebRtcManagerEvents> {
  private readonly peers = new Map<string, WebRtcAudioPeer>();
  private readonly handlers = new Map<string, Set<ConnectionAudioHandler>>();
  private readonly options: WebRtcManagerOptions;
  private readonly servers = new Set<SignalingServer>();

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
   * @throws WebRtcError `invalid-state` when the id is taken
   */
  createConnection(options: WebRtcAudioPeerOptions = {}): WebRtcAudioPeer {
    const peer = new WebRtcAudioPeer({ ...this.options.peer, ...options });
    this.add(peer);
    return peer;
  }

  /**
   * Adopts a peer created elsewhere; it is removed again when it closes.
   * @throws WebRtcError `invalid-state` when another connection has the same id or the peer is closed
   */
  add(peer: WebRtcAudioPeer, session?: SignalingSession): void {
    if (this.peers.has(peer.id))
      throw new WebRtcError('invalid-state', `connection "${peer.id}" already exists`);
    if (peer.isClosed) throw new WebRtcError('invalid-state', `connection "${peer.id}" is closed`);
    const id = peer.id;
    this.peers.set(id, peer);
    peer.on('audio', (pcm, info) => {
      this.options.onAudio?.(id, pcm, info);
      const set = this.handlers.get(id);
      if (set) for (const h of set) h(pcm, info);
      this.emit('audio', id, pcm, info);
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
   * @throws WebRtcError `unknown-session` when there is no such connection
   */
  onAudio(id: string, handler: ConnectionAudioHandler): () => void {
    if (!this.peers.has(id)) throw new WebRtcError('unknown-session', `no connection "${id}"`);
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
  async close(id: string): Promise<void> {
    await this.peers.get(id)?.close();
  }

  /** Closes every connection and every signaling server started by {@link startSignaling}. */
  async closeAll(): Promise<void> {
    const servers = [...this.servers];
    this.servers.clear();
    await Promise.all([...servers.map((s) => s.close()), ...[...this.peers.values()].map((p) => p.close())]);
  }

  /**
   * Starts a signaling server whose client sessions become connections of this manager (with the
   * manager's peer defaults unless `options.peer` says otherwise). Closed by {@link closeAll}.
   */
  async startSignaling(options: Omit<SignalingServerOptions, 'onPeer'>): Promise<SignalingServer> {
    const server = await createSignalingServer({
      ...options,
      peer: options.peer ?? this.options.peer,
      onPeer: (peer, session) => this.add(peer, session),
    });
    this.servers.add(server);
    return server;
  }
}
