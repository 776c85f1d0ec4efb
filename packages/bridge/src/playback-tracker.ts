import type { PlaybackTracker } from '@voxwire/realtime-client';
import type { CallSession } from './call-session.js';

interface Segment {
  itemId: string;
  /** Position of the item's audio on the call's outbound timeline (`sentMs` at hand-over), ms. */
  start: number;
  end: number;
}

/** Items remembered; older ones have long finished playing. */
const MAX_SEGMENTS = 32;

/**
 * Maps the model's audio items onto a call's outbound timeline, so "how much of item X did the caller hear"
 * is answered from the platform's confirmed playback position (`call.playedMs()`), not from a clock.
 */
export class CallPlaybackTracker implements PlaybackTracker {
  private readonly segments: Segment[] = [];

  constructor(private readonly call: CallSession) {}

  /** Records agent audio about to be handed to the call (call before `sendAudio`). */
  onAudio(itemId: string, samples: number, sampleRate: number): void {
    if (samples <= 0) return;
    const ms = (samples * 1000) / sampleRate;
    const at = this.call.sentMs();
    const last = this.segments[this.segments.length - 1];
    if (last && last.itemId === itemId) {
      last.end = Math.max(last.end, at) + ms;
      return;
    }
    this.segments.push({ itemId, start: at, end: at + ms });
    if (this.segments.length > MAX_SEGMENTS) this.segments.shift();
  }

  playedMs(itemId: string): number {
    const seg = this.segments.find((s) => s.itemId === itemId);
    if (!seg) return 0;
    const played = this.call.playedMs() - seg.start;
    return Math.max(0, Math.min(seg.end - seg.start, played));
  }

  /** The item whose audio is playing or queued, or undefined when the caller hears nothing from the agent. */
  playingItem(): string | undefined {
    const played = this.call.playedMs();
    return this.segments.find((s) => s.end > played + 0.5)?.itemId;
  }

  reset(): void {
    this.segments.length = 0;
  }
}
