import type { AsyncCloseable } from '@voxwire/core';
import { WebRtcError } from '../errors.js';
import type { WebRtcAudioPeerOptions } from '../peer.js';
import type { JanusClient } from './client.js';
import type { JanusHandle } from './handle.js';
import { JanusError } from './janus-error.js';
import { answerJanus, offerToJanus } from './negotiate.js';
import { type JanusParticipant, toParticipants } from './participants.js';
import { JanusVideoRoomPublisher } from './videoroom-publisher.js';
import { JanusVideoRoomSubscriber } from './videoroom-subscriber.js';

const PLUGIN = 'janus.plugin.videoroom';

/** Options for {@link JanusVideoRoom}. */
export interface JanusVideoRoomOptions {
  /** Options of the {@link WebRtcAudioPeer}s negotiated with Janus. */
  peer?: WebRtcAudioPeerOptions;
}

/** Options of {@link JanusVideoRoom.createRoom}. */
export interface JanusVideoRoomRoomOptions {
  room?: number;
  description?: string;
  /** Secret needed to edit/destroy the room. */
  secret?: string;
  /** PIN needed to join. */
  pin?: string;
  /** Most concurrent publishers. Default 6. */
  publishers?: number;
  /** The plugin's `admin_key`, when Janus requires one to create rooms. */
  adminKey?: string;
  permanent?: boolean;
}

/**
 * Audio-only use of a Janus VideoRoom (`janus.plugin.videoroom`, an SFU: no mixing): publish our audio as a
 * feed, subscribe to other participants' feeds one by one (each its own {@link WebRtcAudioPeer}), so an agent
 * can hear selected participants separately.
 */
export class JanusVideoRoom implements AsyncCloseable {
  private admin: JanusHandle | undefined;
  private readonly peerOptions: WebRtcAudioPeerOptions;

  constructor(
    /** The connected client the handles live in. */
    readonly client: JanusClient,
    options: JanusVideoRoomOptions = {},
  ) {
    this.peerOptions = options.peer ?? {};
  }

  /** Creates a room (Opus audio). @returns its id */
  async createRoom(options: JanusVideoRoomRoomOptions = {}): Promise<number> {
    const { data } = await (await this.adminHandle()).message({
      request: 'create',
      room: options.room,
      description: options.description,
      secret: options.secret,
      pin: options.pin,
      publishers: options.publishers ?? 6,
      admin_key: options.adminKey,
      audiocodec: 'opus',
      permanent: options.permanent ?? false,
      is_private: false,
    });
    return Number(data.room);
  }

  /** Destroys a room. @throws JanusError for a wrong secret or unknown room */
  async destroyRoom(room: number, options: { secret?: string } = {}): Promise<void> {
    await (await this.adminHandle()).message({ request: 'destroy', room, secret: options.secret });
  }

  /** Whether a room exists. */
  async exists(room: number | string): Promise<boolean> {
    const { data } = await (await this.adminHandle()).message({ request: 'exists', room });
    return data.exists === true;
  }

  /** Everyone in a room, publishing or not. */
  async listParticipants(room: number | string): Promise<JanusParticipant[]> {
    const { data } = await (await this.adminHandle()).message({ request: 'listparticipants', room });
    return toParticipants(data.participants);
  }

  /**
   * Joins a room as a publisher and publishes our audio (a new PeerConnection offered to Janus).
   * @throws JanusError `JANUS_ERROR` (426 no such room, 433 unauthorized / wrong PIN, …)
   */
  async publish(
    room: number | string,
    options: { display?: string; pin?: string } = {},
  ): Promise<JanusVideoRoomPublisher> {
    const h = await this.client.attach(PLUGIN);
    try {
      const { data } = await h.message({
        request: 'join',
        ptype: 'publisher',
        room,
        display: options.display,
        pin: options.pin,
      });
      if (data.videoroom !== 'joined' || (typeof data.id !== 'number' && typeof data.id !== 'string')) {
        throw new JanusError('JANUS_ERROR', `videoroom join: unexpected answer ${JSON.stringify(data)}`);
      }
      // A publisher receives nothing from Janus: no media timeout on its peer.
      const { peer } = await offerToJanus(
        h,
        { request: 'publish', display: options.display },
        { ...this.peerOptions, mediaTimeoutMs: 0 },
      );
      const privateId = typeof data.private_id === 'number' ? data.private_id : undefined;
      return new JanusVideoRoomPublisher(h, room, data.id, privateId, peer, toParticipants(data.publishers));
    } catch (err) {
      await h.detach();
      throw err;
    }
  }

  /**
   * Subscribes to one feed: Janus offers it, a new PeerConnection answers.
   * @param feed - the publisher's id (from {@link JanusVideoRoomPublisher.publishers} or `listParticipants`)
   * @throws JanusError `JANUS_ERROR` (428 no such feed, …)
   */
  async subscribe(
    room: number | string,
    feed: number | string,
    options: { pin?: string; privateId?: number } = {},
  ): Promise<JanusVideoRoomSubscriber> {
    const h = await this.client.attach(PLUGIN);
    try {
      const { data, jsep } = await h.message({
        request: 'join',
        ptype: 'subscriber',
        room,
        pin: options.pin,
        private_id: options.privateId,
        streams: [{ feed }],
      });
      if (jsep?.type !== 'offer') {
        throw new JanusError(
          'JANUS_ERROR',
          `videoroom subscribe: Janus sent no offer (${JSON.stringify(data)})`,
        );
      }
      const { peer } = await answerJanus(h, jsep.sdp, { request: 'start' }, this.peerOptions);
      return new JanusVideoRoomSubscriber(h, room, feed, peer);
    } catch (err) {
      await h.detach();
      throw err;
    }
  }

  /** Detaches the handle used for room requests (publishers and subscribers close themselves). */
  async close(): Promise<void> {
    await this.admin?.detach();
    this.admin = undefined;
  }

  /** `await using room = new JanusVideoRoom(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async adminHandle(): Promise<JanusHandle> {
    if (this.admin && !this.admin.isDetached) return this.admin;
    if (!this.client.isConnected)
      throw new WebRtcError('DISCONNECTED', 'JanusVideoRoom: client not connected');
    this.admin = await this.client.attach(PLUGIN);
    return this.admin;
  }
}
