import { EventEmitter } from 'node:events';
import type { AudioFrame, EncodedFrame } from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';
import { WebRtcError } from '../errors.js';
import type { WebRtcAudioPeer } from '../peer.js';
import type { JanusHandle } from './handle.js';
import type { JanusPluginData } from './messages.js';
import { type JanusParticipant, toParticipants } from './participants.js';

/** Events of {@link JanusVideoRoomPublisher}. */
export interface JanusVideoRoomPublisherEvents {
  /** Another participant started publishing (a feed one can subscribe to). */
  'publisher-added': [publisher: JanusParticipant];
  /** A feed stopped (unpublished or left). */
  'publisher-removed': [feedId: number | string];
  /** We stopped publishing and left the room. */
  close: [];
}

/**
 * Our audio published in a Janus VideoRoom (`janus.plugin.videoroom`, audio only). Created by
 * {@link JanusVideoRoom.publish}. Tracks the room's other feeds so an agent can subscribe to them.
 * `unpublish()` (also `close()`, `await using`) stops it.
 */
export class JanusVideoRoomPublisher
  extends EventEmitter<JanusVideoRoomPublisherEvents>
  implements AsyncCloseable
{
  private readonly feeds = new Map<number | string, JanusParticipant>();
  private closed = false;

  /** @internal */
  constructor(
    private readonly handle: JanusHandle,
    /** The room. */
    readonly room: number | string,
    /** Our feed id: what others subscribe to. */
    readonly id: number | string,
    /** Janus' `private_id`, to associate our subscriptions with this publisher. */
    readonly privateId: number | undefined,
    /** The PeerConnection carrying our audio to Janus. */
    readonly peer: WebRtcAudioPeer,
    initial: JanusParticipant[],
  ) {
    super();
    for (const p of initial) this.feeds.set(p.id, p);
    handle.on('event', this.onEvent);
    handle.on('detached', () => void this.finish());
  }

  /** The other feeds currently published in the room. */
  get publishers(): JanusParticipant[] {
    return [...this.feeds.values()];
  }

  /** Queues a frame to publish (see {@link WebRtcAudioPeer.sendAudio}). */
  sendAudio(frame: AudioFrame | EncodedFrame): void {
    if (this.closed) throw new WebRtcError('CLOSED', 'publisher is closed');
    this.peer.sendAudio(frame);
  }

  /** Same as {@link unpublish}: the lifecycle name every voxwire resource has. */
  close(): Promise<void> {
    return this.unpublish();
  }

  /** `await using pub = await room.publish(…)` unpublishes at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.unpublish();
  }

  /** Stops publishing, leaves the room and detaches. Safe to call more than once. */
  async unpublish(): Promise<void> {
    if (this.closed) return;
    if (!this.handle.isDetached) {
      await this.handle.message({ request: 'unpublish' }).catch(() => undefined);
      await this.handle.message({ request: 'leave' }).catch(() => undefined);
      await this.handle.detach();
    }
    await this.finish();
  }

  private async finish(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handle.off('event', this.onEvent);
    await this.peer.close();
    this.emit('close');
  }

  private readonly onEvent = (data: JanusPluginData): void => {
    for (const p of toParticipants(data.publishers)) {
      if (p.id === this.id || this.feeds.has(p.id)) continue;
      this.feeds.set(p.id, p);
      this.emit('publisher-added', p);
    }
    for (const key of ['unpublished', 'leaving'] as const) {
      const id = data[key];
      if ((typeof id === 'number' || typeof id === 'string') && this.feeds.delete(id)) {
        this.emit('publisher-removed', id);
      }
    }
  };
}
