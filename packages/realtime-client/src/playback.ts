/**
 * Reports how much of each assistant audio item the listener has actually heard. The client asks it when it
 * interrupts a response, to truncate the item to exactly that point, so the model's memory of what it said
 * matches what the user heard. Positions must come from the playout side (Twilio mark echoes, a sound
 * card's played-frame counter), never from wall-clock time since the audio arrived.
 */
export interface PlaybackTracker {
  /** Milliseconds of `itemId`'s audio that have been played to the listener; 0 for items not yet played. */
  playedMs(itemId: string): number;
}

interface Segment {
  itemId: string;
  /** Timeline position (ms) where this item's audio starts and ends. */
  start: number;
  end: number;
}

/** How many items' segments are remembered; older ones are long played and are forgotten. */
const MAX_SEGMENTS = 64;

/**
 * A {@link PlaybackTracker} for a player that consumes audio in the order the client emitted it. The player
 * feeds it what it queues and what it has played: call {@link PlaybackTimeline.onAudio} for each `audio`
 * frame handed to the player, report the playout position with {@link PlaybackTimeline.setPlayedMs} or
 * {@link PlaybackTimeline.advance} (e.g. on a Twilio mark echo, the {@link PlaybackTimeline.queuedMs} recorded
 * when the mark was sent), and call {@link PlaybackTimeline.reset} when the player drops its queue on
 * `interrupted`. Attach it with `new RealtimeClient({ playback: timeline })`.
 */
export class PlaybackTimeline implements PlaybackTracker {
  private readonly segments: Segment[] = [];
  private queued = 0;
  private played = 0;

  /** Total ms of audio handed to the player since creation (the end of the timeline). */
  get queuedMs(): number {
    return this.queued;
  }

  /** Total ms of audio the listener has heard since creation. */
  get totalPlayedMs(): number {
    return this.played;
  }

  /** Records a chunk handed to the player. */
  onAudio(itemId: string, samples: number, sampleRate: number): void {
    if (samples <= 0) return;
    const ms = (samples * 1000) / sampleRate;
    const last = this.segments[this.segments.length - 1];
    if (last && last.itemId === itemId && last.end === this.queued) {
      last.end += ms;
    } else {
      this.segments.push({ itemId, start: this.queued, end: this.queued + ms });
      if (this.segments.length > MAX_SEGMENTS) this.segments.shift();
    }
    this.queued += ms;
  }

  /** Sets the played position (ms since creation); clamped to what was queued, never moves backwards. */
  setPlayedMs(positionMs: number): void {
    if (!Number.isFinite(positionMs)) return;
    this.played = Math.min(this.queued, Math.max(this.played, positionMs));
  }

  /** Moves the played position forward by `ms`. */
  advance(ms: number): void {
    this.setPlayedMs(this.played + ms);
  }

  /** Milliseconds of `itemId` heard so far. */
  playedMs(itemId: string): number {
    let heard = 0;
    for (const s of this.segments) {
      if (s.itemId !== itemId || s.start >= this.played) continue;
      heard += Math.min(this.played, s.end) - s.start;
    }
    return heard;
  }

  /** Drops what was queued but not played (the player was cleared). */
  reset(): void {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (s.start >= this.played) this.segments.splice(i, 1);
      else if (s.end > this.played) s.end = this.played;
    }
    this.queued = this.played;
  }
}
