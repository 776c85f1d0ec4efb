import { EventEmitter } from 'node:events';
import type { AudioFrame, EncodedFrame } from '@voxwire/codecs';
import { type AsyncCloseable, closeOnce, emitError } from '@voxwire/core';
import { WebRtcError } from '../errors.js';
import type { AudioFrameInfo, WebRtcAudioPeer, WebRtcAudioPeerOptions } from '../peer.js';
import type { JanusClient } from './client.js';
import type { JanusHandle } from './handle.js';
import { JanusError } from './janus-error.js';
import type { JanusPluginData } from './messages.js';
import { offerToJanus } from './negotiate.js';
import { type JanusParticipant, toParticipant, toParticipants } from './participants.js';

const PLUGIN = 'janus.plugin.audiobridge';

/** Options for {@link JanusAudioBridge}. */
export interface JanusAudioBridgeOptions {
  /** Options of the {@link WebRtcAudioPeer} negotiated with Janus (sampleRate, ICE, …). */
  peer?: WebRtcAudioPeerOptions;
  /** Re-join the room after Janus lost the session (restart). Default true. */
  rejoin?: boolean;
}

/** Options of {@link JanusAudioBridge.join}. */
export interface JanusAudioBridgeJoinOptions {
  /** Name shown to the other participants. */
  display?: string;
  /** The room's PIN, if it has one. */
  pin?: string;
  /** Join muted. */
  muted?: boolean;
}

/** Result of {@link JanusAudioBridge.join}. */
export interface JanusAudioBridgeJoined {
  room: number | string;
  /** Our participant id. */
  id: number | string;
  /** The others already in the room. */
  participants: JanusParticipant[];
}

/** Options of {@link JanusAudioBridge.createRoom}. */
export interface JanusAudioBridgeRoomOptions {
  /** Room id; Janus picks one when omitted. */
  room?: number;
  description?: string;
  /** Secret needed to edit/destroy the room and to mute others. */
  secret?: string;
  /** PIN needed to join. */
  pin?: string;
  /** Mixing rate: 8000, 12000, 16000, 24000 or 48000. Default 16000 (Janus' default). */
  samplingRate?: number;
  /** The plugin's `admin_key`, when Janus requires one to create rooms. */
  adminKey?: string;
  /** Save the room to the plugin's configuration file. Default false. */
  permanent?: boolean;
}

/** Events of {@link JanusAudioBridge}. */
export interface JanusAudioBridgeEvents {
  /** The room's mix (everyone but us), decoded, at the peer's `sampleRate` (the listener's to keep). */
  audio: [frame: AudioFrame, info: AudioFrameInfo];
  /** We joined (also after a rejoin) and our PeerConnection with Janus is up. */
  joined: [info: JanusAudioBridgeJoined];
  /** Someone else joined the room. */
  'participant-joined': [participant: JanusParticipant];
  /** Someone's state changed (muted, setup, talking). */
  'participant-updated': [participant: JanusParticipant];
  /** Someone left the room (or was kicked). */
  'participant-left': [participant: JanusParticipant];
  /** Janus lost our session (restart) and we joined the room again with a new PeerConnection. */
  rejoined: [info: JanusAudioBridgeJoined];
  /** A failure that did not throw from a call (a rejoin that failed, a peer error). */
  error: [error: WebRtcError];
  /** We left the room (or were kicked, or the room was destroyed). */
  left: [];
}

/**
 * An agent in a Janus AudioBridge room (`janus.plugin.audiobridge`, server-side mixing): `join` negotiates a
 * {@link WebRtcAudioPeer} with Janus; the room's mix comes out as `audio` events and `sendAudio` speaks into
 * it. Tracks the other participants and emits joined/left events; rejoins after Janus restarts. `close()` (or
 * `await using`) leaves and detaches.
 */
export class JanusAudioBridge extends EventEmitter<JanusAudioBridgeEvents> implements AsyncCloseable {
  private handle: JanusHandle | undefined;
  private attaching: Promise<JanusHandle> | undefined;
  private currentPeer: WebRtcAudioPeer | undefined;
  private joinedAs:
    | { room: number | string; options: JanusAudioBridgeJoinOptions; id: number | string }
    | undefined;
  private readonly others = new Map<number | string, JanusParticipant>();
  private readonly peerOptions: WebRtcAudioPeerOptions;
  private readonly rejoinEnabled: boolean;
  private closed = false;

  constructor(
    /** The connected client whose session the handle lives in. */
    readonly client: JanusClient,
    options: JanusAudioBridgeOptions = {},
  ) {
    super();
    this.peerOptions = options.peer ?? {};
    this.rejoinEnabled = options.rejoin ?? true;
    client.on('session-lost', this.onSessionLost);
  }

  /** The PeerConnection with Janus while joined. */
  get peer(): WebRtcAudioPeer | undefined {
    return this.currentPeer;
  }

  /** Our participant id while joined. */
  get participantId(): number | string | undefined {
    return this.joinedAs?.id;
  }

  /** The other participants as last reported by Janus. */
  get participants(): JanusParticipant[] {
    return [...this.others.values()];
  }

  /**
   * Creates a room.
   * @returns the room id
   * @throws JanusError `JANUS_ERROR` (e.g. 486 room exists, 403/unauthorized without the admin key)
   */
  async createRoom(options: JanusAudioBridgeRoomOptions = {}): Promise<number> {
    const h = await this.ensureHandle();
    const { data } = await h.message({
      request: 'create',
      room: options.room,
      description: options.description,
      secret: options.secret,
      pin: options.pin,
      sampling_rate: options.samplingRate,
      admin_key: options.adminKey,
      permanent: options.permanent ?? false,
      is_private: false,
    });
    return Number(data.room);
  }

  /** Destroys a room (everyone in it is kicked). @throws JanusError for a wrong secret or unknown room */
  async destroyRoom(room: number, options: { secret?: string; permanent?: boolean } = {}): Promise<void> {
    const h = await this.ensureHandle();
    await h.message({
      request: 'destroy',
      room,
      secret: options.secret,
      permanent: options.permanent ?? false,
    });
  }

  /** Whether a room exists. */
  async exists(room: number | string): Promise<boolean> {
    const h = await this.ensureHandle();
    const { data } = await h.message({ request: 'exists', room });
    return data.exists === true;
  }

  /** Who is in a room (default: the joined one), including us. */
  async listParticipants(room?: number | string): Promise<JanusParticipant[]> {
    const target = room ?? this.joinedAs?.room;
    if (target === undefined)
      throw new WebRtcError('INVALID_STATE', 'listParticipants: no room given and not joined');
    const h = await this.ensureHandle();
    const { data } = await h.message({ request: 'listparticipants', room: target });
    return toParticipants(data.participants);
  }

  /**
   * Joins a room and negotiates the audio PeerConnection with Janus; resolves once Janus answered.
   * @throws JanusError `JANUS_ERROR`: 485 no such room, 489 unauthorized (wrong or missing PIN), …;
   *   WebRtcError `INVALID_STATE` when already joined
   */
  async join(
    room: number | string,
    options: JanusAudioBridgeJoinOptions = {},
  ): Promise<JanusAudioBridgeJoined> {
    if (this.closed) throw new WebRtcError('CLOSED', 'JanusAudioBridge is closed');
    if (this.joinedAs)
      throw new WebRtcError('INVALID_STATE', `already joined room ${String(this.joinedAs.room)}`);
    const info = await this.doJoin(room, options);
    this.emit('joined', info);
    return info;
  }

  /** Queues a frame to speak into the room (see {@link WebRtcAudioPeer.sendAudio}). */
  sendAudio(frame: AudioFrame | EncodedFrame): void {
    if (!this.currentPeer) throw new WebRtcError('INVALID_STATE', 'sendAudio: not joined');
    this.currentPeer.sendAudio(frame);
  }

  /**
   * Mutes or unmutes. Without `id`, ourselves (`configure`); with `id`, another participant, which needs the
   * room's `secret` when it has one.
   */
  async mute(muted: boolean, options: { id?: number | string; secret?: string } = {}): Promise<void> {
    const joined = this.joinedAs;
    if (!joined || !this.handle) throw new WebRtcError('INVALID_STATE', 'mute: not joined');
    if (options.id === undefined || options.id === joined.id) {
      await this.handle.message({ request: 'configure', muted });
      joined.options = { ...joined.options, muted };
      return;
    }
    await this.handle.message({
      request: muted ? 'mute' : 'unmute',
      room: joined.room,
      id: options.id,
      secret: options.secret,
    });
  }

  /** Leaves the room and closes the PeerConnection (the handle stays attached for room requests). */
  async leave(): Promise<void> {
    const joined = this.joinedAs;
    this.joinedAs = undefined;
    this.others.clear();
    const peer = this.currentPeer;
    this.currentPeer = undefined;
    if (joined && this.handle && !this.handle.isDetached) {
      await this.handle.message({ request: 'leave' }).catch(() => undefined);
    }
    await peer?.close();
    if (joined) this.emit('left');
  }

  /** Leaves and detaches from the plugin. Safe to call more than once. */
  readonly close: () => Promise<void> = closeOnce(async () => {
    await this.leave();
    this.closed = true;
    this.client.off('session-lost', this.onSessionLost);
    await this.handle?.detach();
    this.handle = undefined;
  });

  /** `await using room = new JanusAudioBridge(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async doJoin(
    room: number | string,
    options: JanusAudioBridgeJoinOptions,
  ): Promise<JanusAudioBridgeJoined> {
    const h = await this.ensureHandle();
    const { data } = await h.message({
      request: 'join',
      room,
      display: options.display,
      pin: options.pin,
      muted: options.muted ?? false,
    });
    if (data.audiobridge !== 'joined' || (typeof data.id !== 'number' && typeof data.id !== 'string')) {
      throw new JanusError('JANUS_ERROR', `audiobridge join: unexpected answer ${JSON.stringify(data)}`);
    }
    const id = data.id;
    this.joinedAs = { room, options, id };
    this.others.clear();
    for (const p of toParticipants(data.participants)) this.others.set(p.id, p);
    try {
      const { peer } = await offerToJanus(
        h,
        { request: 'configure', muted: options.muted ?? false },
        {
          mediaTimeoutMs: 0,
          ...this.peerOptions,
        },
      );
      this.attachPeer(peer);
    } catch (err) {
      this.joinedAs = undefined;
      await h.message({ request: 'leave' }).catch(() => undefined);
      throw err;
    }
    return { room, id, participants: this.participants };
  }

  private attachPeer(peer: WebRtcAudioPeer): void {
    this.currentPeer = peer;
    peer.on('audio', (frame, info) => this.emit('audio', frame, info));
    peer.on('error', (err) => this.emitError(err));
  }

  private async ensureHandle(): Promise<JanusHandle> {
    if (this.closed) throw new WebRtcError('CLOSED', 'JanusAudioBridge is closed');
    if (this.handle && !this.handle.isDetached) return this.handle;
    this.attaching ??= this.client.attach(PLUGIN).then(
      (h) => {
        this.attaching = undefined;
        this.handle = h;
        h.on('event', this.onPluginEvent);
        return h;
      },
      (err: unknown) => {
        this.attaching = undefined;
        throw err;
      },
    );
    return this.attaching;
  }

  private readonly onPluginEvent = (data: JanusPluginData): void => {
    const joined = this.joinedAs;
    if (!joined) return;
    if (data.leaving !== undefined) {
      const id = data.leaving as number | string;
      if (id === joined.id) return;
      const p = this.others.get(id) ?? {
        id,
        display: undefined,
        muted: false,
        setup: false,
        talking: undefined,
      };
      this.others.delete(id);
      this.emit('participant-left', p);
      return;
    }
    if (data.kicked !== undefined && data.kicked !== joined.id) {
      const id = data.kicked as number | string;
      const p = this.others.get(id);
      if (p) {
        this.others.delete(id);
        this.emit('participant-left', p);
      }
      return;
    }
    if (data.audiobridge === 'destroyed' || (data.kicked !== undefined && data.kicked === joined.id)) {
      void this.leave();
      return;
    }
    if (data.audiobridge === 'talking' || data.audiobridge === 'stopped-talking') {
      const p = this.others.get(data.id as number | string);
      if (p) {
        p.talking = data.audiobridge === 'talking';
        this.emit('participant-updated', p);
      }
      return;
    }
    for (const raw of Array.isArray(data.participants) ? data.participants : []) {
      const p = toParticipant(raw);
      if (!p || p.id === joined.id) continue;
      const known = this.others.has(p.id);
      this.others.set(p.id, p);
      this.emit(known ? 'participant-updated' : 'participant-joined', p);
    }
  };

  private readonly onSessionLost = (): void => {
    this.handle = undefined;
    const joined = this.joinedAs;
    if (!joined || this.closed) return;
    const old = this.currentPeer;
    this.currentPeer = undefined;
    this.joinedAs = undefined;
    void old?.close();
    if (!this.rejoinEnabled) {
      this.emit('left');
      return;
    }
    this.doJoin(joined.room, joined.options).then(
      (info) => this.emit('rejoined', info),
      (err: unknown) => {
        this.emitError(
          err instanceof WebRtcError
            ? err
            : new WebRtcError('INTERNAL', `rejoin failed: ${String(err)}`, { cause: err }),
        );
        this.emit('left');
      },
    );
  };

  private emitError(err: WebRtcError): void {
    emitError(this, err);
  }
}
