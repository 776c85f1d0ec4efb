// What the client has played of Arnold's voice, for truncating an interrupted reply where the listener
// stopped hearing it rather than where Arnold stopped sending it.
//
// Arnold's audio reaches a client as one stream of binary frames, in order. The session records which
// realtime item each forwarded frame belongs to (`sent`), so every item is a span of that stream. The client
// reports its playback position in the same stream (`{"type":"playback","played_ms":N}`: audio played, plus
// audio it dropped unplayed), and the item spans turn that one number into ms heard of each item. A
// position in the stream is unambiguous across replies, interruptions and tool-call chains: the WebSocket
// keeps frames and reports in order, so no reply boundary needs agreeing on.
import type { PlaybackTracker } from '@voxwire/realtime-client';

/** Sample rate of the audio Arnold forwards to its clients (PCM16 mono, announced in `session.ready`). */
export const STREAM_RATE = 24000;

/** Items whose spans are remembered; older ones are long over (the realtime client keeps 32). */
export const MAX_TRACKED_ITEMS = 64;

interface Span {
  /** Stream position (samples) of the item's first forwarded sample. */
  start: number;
  /** Samples of the item forwarded. */
  sent: number;
}

/**
 * A {@link PlaybackTracker} answering from the client's reports. Until the client has reported, an item
 * counts as heard up to what was sent of it (what the realtime client assumes without a tracker); after,
 * up to the reported position, and never beyond what was sent. Memory is bounded: one number per report and
 * at most {@link MAX_TRACKED_ITEMS} item spans.
 */
export class ClientPlayback implements PlaybackTracker {
  private readonly spans = new Map<string, Span>();
  /** Samples forwarded to the client so far (the end of the stream). */
  private total = 0;
  /** The client's latest playback position (samples), capped at {@link total}; undefined until it reports. */
  private position: number | undefined;
  private ended = false;

  /** Whether the client has reported its playback. */
  get reported(): boolean {
    return this.position !== undefined;
  }

  /** The client's latest reported position (ms), capped at what was sent; undefined before a report. */
  get positionMs(): number | undefined {
    return this.position === undefined ? undefined : toMs(this.position);
  }

  /** Ms of audio forwarded to the client so far. */
  get sentMs(): number {
    return toMs(this.total);
  }

  /** Item spans remembered (bounded by {@link MAX_TRACKED_ITEMS}). */
  get trackedItems(): number {
    return this.spans.size;
  }

  /** `samples` of `itemId` (at {@link STREAM_RATE}) were forwarded to the client. */
  sent(itemId: string, samples: number): void {
    if (this.ended || samples <= 0) return;
    let span = this.spans.get(itemId);
    if (!span) {
      span = { start: this.total, sent: 0 };
      this.spans.set(itemId, span);
      if (this.spans.size > MAX_TRACKED_ITEMS) this.spans.delete(this.spans.keys().next().value as string);
    }
    // An item's audio is contiguous in the stream (the realtime client forwards one item at a time).
    span.sent += samples;
    this.total += samples;
  }

  /**
   * The client's playback position in the stream: ms of Arnold's audio it has played, or dropped unplayed.
   * The latest report counts; it is capped at what was sent, so a position ahead of the stream cannot count
   * audio that has not been sent yet. Ignored once the session has ended.
   */
  report(playedMs: number): void {
    if (this.ended || !Number.isFinite(playedMs) || playedMs < 0) return;
    this.position = Math.min(this.total, (playedMs * STREAM_RATE) / 1000);
  }

  /** Ms of `itemId` the client has played; 0 for an item none of which was sent. */
  playedMs(itemId: string): number {
    const span = this.spans.get(itemId);
    if (!span) return 0;
    if (this.position === undefined) return toMs(span.sent);
    return toMs(Math.max(0, Math.min(span.sent, this.position - span.start)));
  }

  /** The session ended: later audio and reports are ignored. */
  end(): void {
    this.ended = true;
  }
}

function toMs(samples: number): number {
  return (samples * 1000) / STREAM_RATE;
}
