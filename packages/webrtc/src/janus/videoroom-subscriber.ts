import { EventEmitter } from 'node:events';
import type { AudioFrame } from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';
import type { AudioFrameInfo, WebRtcAudioPeer } from '../peer.js';
import type { JanusHandle } from './handle.js';
import type { JanusPluginData } from './messages.js';

/** Events of {@link JanusVideoRoomSubscriber}. */
export interface JanusVideoRoomSubscriberEvents {
  /** The feed's audio, decoded, at the peer's `sampleRate` (the listener's to keep). */
  audio: [frame: AudioFrame, info: AudioFrameInfo];
  /** The feed was unpublished or its publisher left. */
  ended: [];
  /** The subscription is closed. */
  close: [];
}

/**
 * A subscription to one feed of a Janus VideoRoom: that participant's audio alone. Created by
 * {@link JanusVideoRoom.subscribe}. `close()` (or `await using`) ends it.
 */
export class JanusVideoRoomSubscriber
  extends EventEmitter<JanusVideoRoomSubscriberEvents>
  implements AsyncCloseable
{
  private closed = false;

  /** @internal */
  constructor(
    private readonly handle: JanusHandle,
    /** The room. */
    readonly room: number | string,
    /** The publisher's feed id. */
    readonly feed: number | string,
    /** The PeerConnection Janus sends the feed on. */
    readonly peer: WebRtcAudioPeer,
  ) {
    super();
    peer.on('audio', (frame, info) => this.emit('audio', frame, info));
    handle.on('event', this.onEvent);
    handle.on('hangup', () => this.emit('ended'));
    handle.on('detached', () => void this.finish());
  }

  /** `await using sub = await room.subscribe(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Ends the subscription and detaches. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.handle.isDetached) {
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
    if (data.videoroom === 'updated' || data.left === 'ok' || data.unpublished !== undefined)
      this.emit('ended');
  };
}
