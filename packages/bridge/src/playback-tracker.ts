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
 * is answered from the platform's playback position (`call.playedMs()`: Twilio's echoed marks, AudioCodes'
 * real-time playout), not from when the audio arrived. The bridge attaches it to the `RealtimeClient`
 * (`setPlayback`), which truncates an interrupted item to it, and feeds it every frame it hands the call.
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

  /**
   * The call dropped what it had queued (after an interruption): every item keeps what was heard of it and
   * loses the rest, so an item heard in full before the interruption still reads as heard.
   */
  reset(): void {
    const played = this.call.playedMs();
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i];
      if (seg.start >= played) this.segments.splice(i, 1);
      else seg.end = Math.min(seg.end, played);
    }
  }
}
