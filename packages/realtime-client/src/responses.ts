import type { AnyFrame, EncodedFrame } from '@voxwire/codecs';
import { frameSamples } from '@voxwire/codecs';
import { LatencyWindow } from '@voxwire/core';
import type { AudioOutputDecoder, DecodedDelta } from './audio-output.js';
import type { Conversation } from './conversation.js';
import { RealtimeClientError } from './errors.js';
import type { InterruptedEvent, RealtimeClientEvents } from './events.js';
import type { PlaybackTracker } from './playback.js';
import type { ClientEvent, ServerEventOf } from './protocol.js';

/** Emits one of the client's (non-error) events. */
export type Emit = <K extends Exclude<keyof RealtimeClientEvents, 'error'>>(
  event: K,
  ...args: RealtimeClientEvents[K]
) => void;

/** What the response tracker needs from the client. */
export interface ResponseHost {
  send(event: ClientEvent): void;
  emit: Emit;
}

interface AudioItemState {
  responseId: string;
  contentIndex: number;
  /** Wire samples received. */
  samples: number;
  rate: number;
  /** Samples delivered through `audio` events (at `deliveredRate`): the next frame's `position`. */
  delivered: number;
  deliveredRate?: number;
  done: boolean;
  truncated: boolean;
}

/** Audio items remembered (for truncation); older ones are long over. */
const MAX_AUDIO_ITEMS = 32;

/**
 * Responses and turns: which response is active or cancelled, each assistant audio item's received and
 * delivered position, the `audio` frames, the one barge-in path (cancel + truncate to what was heard), and
 * the turn latency (speech stopped or commit → first audio).
 */
export class Responses {
  private activeResponseId: string | null = null;
  private readonly cancelledResponses = new Set<string>();
  private readonly audioItems = new Map<string, AudioItemState>();
  private latestAudioResponseId: string | null = null;
  private userSpeaking = false;
  private turnStartedAt: number | null = null;
  /** The last drop cut a response off (reported, and resumed when asked, after the reconnect). */
  private responseCutByDrop = false;
  /** What the listener has heard (option `playback`, `setPlayback`). */
  private playback: PlaybackTracker | undefined;
  /** Turn latencies. */
  readonly latency = new LatencyWindow();

  constructor(
    private readonly host: ResponseHost,
    private readonly output: AudioOutputDecoder,
    private readonly conversation: Conversation,
  ) {}

  /** Whether nothing is in progress: no response, the user not speaking. */
  get quiet(): boolean {
    return this.activeResponseId === null && !this.userSpeaking;
  }

  /** Whether `responseId` was cancelled here (its remaining output is not emitted). */
  isCancelled(responseId: string): boolean {
    return this.cancelledResponses.has(responseId);
  }

  /** A user turn ended (speech stopped, or committed): the turn latency clock starts. */
  turnEnded(): void {
    this.turnStartedAt = performance.now();
  }

  responseCreated(responseId: string | null): void {
    this.activeResponseId = responseId;
  }

  /** `response.done`: returns the response's id. */
  responseDone(responseId: string | undefined): string {
    const id = responseId ?? this.activeResponseId ?? '';
    if (this.activeResponseId === id) this.activeResponseId = null;
    this.cancelledResponses.delete(id);
    return id;
  }

  itemDeleted(itemId: string): void {
    this.audioItems.delete(itemId);
  }

  /**
   * Cancels the response in progress, if any; its remaining audio is not emitted.
   * @returns whether a response was in progress
   */
  cancel(): boolean {
    const id = this.activeResponseId;
    if (!id) return false;
    this.cancelledResponses.add(id);
    this.host.send({ type: 'response.cancel', response_id: id });
    return true;
  }

  /** `input_audio_buffer.speech_started`: barges in when `bargeIn` and assistant audio is playing. */
  speechStarted(bargeIn: boolean, serverCancels: boolean): void {
    this.userSpeaking = true;
    // Without a tracker only audio still arriving counts as playing: the client cannot see the player.
    const playing = this.playback ? this.playingItems().length > 0 : this.streamingAudio();
    if (bargeIn && playing) this.bargeIn(!serverCancels);
  }

  speechStopped(): void {
    this.userSpeaking = false;
    this.turnEnded();
  }

  /**
   * The session is over (`dropped`: lost; otherwise replaced by a rollover). Audio of a response cut off by
   * a drop was only partly heard: remember how much, so the restored context does not claim the rest was
   * said; then forget everything in flight.
   */
  sessionEnded(dropped: boolean): void {
    const tracker = this.playback;
    if (dropped && tracker && this.activeResponseId) {
      for (const [itemId, s] of this.audioItems) {
        if (s.responseId === this.activeResponseId && !s.truncated)
          this.conversation.markTruncated(itemId, tracker.playedMs(itemId));
      }
    }
    if (this.activeResponseId) this.responseCutByDrop = true;
    this.activeResponseId = null;
    this.cancelledResponses.clear();
    this.userSpeaking = false;
    this.turnStartedAt = null;
    this.output.abortStream();
  }

  /** Whether the last session switch cut a response off (and forgets it). */
  takeResponseCut(): boolean {
    const cut = this.responseCutByDrop;
    this.responseCutByDrop = false;
    return cut;
  }

  /**
   * Attaches (or, with `undefined`, detaches) the source of what the listener has heard, used by
   * `interrupt()` and barge-in.
   */
  setPlayback(tracker: PlaybackTracker | undefined): void {
    if (tracker !== undefined && typeof tracker?.playedMs !== 'function') {
      throw new RealtimeClientError('INVALID_ARGUMENT', 'a PlaybackTracker needs a playedMs(itemId) method');
    }
    this.playback = tracker;
  }

  /**
   * The one barge-in path, for `RealtimeClient.interrupt()` and for `speech_started` (where the server
   * may cancel by itself: then `sendCancel` is false).
   */
  bargeIn(sendCancel: boolean): InterruptedEvent | undefined {
    const active = this.activeResponseId;
    if (active && !this.cancelledResponses.has(active)) {
      this.cancelledResponses.add(active);
      if (sendCancel) this.host.send({ type: 'response.cancel', response_id: active });
    }
    const playing = this.playingItems();
    this.output.abortStream();
    if (playing.length === 0) return undefined;
    let result: InterruptedEvent | undefined;
    for (const [itemId, s] of playing) {
      const receivedMs = Math.floor((s.samples * 1000) / s.rate);
      // The item being played gets what was heard of it; the items after it were not heard at all.
      const heard = result ? 0 : this.heardMs(itemId, s);
      const audioEndMs = Math.max(0, Math.min(Math.floor(heard), receivedMs));
      s.truncated = true;
      result ??= { itemId, playedMs: audioEndMs };
      if (s.done && audioEndMs >= receivedMs) continue; // all of it was heard: nothing to cut
      this.host.send({
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: s.contentIndex,
        audio_end_ms: audioEndMs,
      });
      this.conversation.markTruncated(itemId, audioEndMs);
    }
    if (result) this.host.emit('interrupted', result);
    return result;
  }

  /** Whether the latest response's audio is still arriving (some item of it is not done). */
  private streamingAudio(): boolean {
    for (const s of this.audioItems.values())
      if (s.responseId === this.latestAudioResponseId && !s.truncated && !s.done) return true;
    return false;
  }

  /** Ms of an item the listener has heard: from the tracker, else the audio delivered through `audio`. */
  private heardMs(itemId: string, s: AudioItemState): number {
    if (this.playback) return this.playback.playedMs(itemId);
    return s.deliveredRate ? (s.delivered * 1000) / s.deliveredRate : 0;
  }

  /**
   * The latest response's audio items from the one being played on (not yet truncated, not completely
   * heard). Without a tracker, the last item that received audio counts as playing: the client cannot know
   * whether the player has finished it.
   */
  private playingItems(): Array<[string, AudioItemState]> {
    const items = [...this.audioItems.entries()].filter(
      ([, s]) => s.responseId === this.latestAudioResponseId && !s.truncated,
    );
    if (!this.playback) return items.slice(-1);
    const first = items.findIndex(
      ([id, s]) => !s.done || this.heardMs(id, s) + 1 < (s.samples * 1000) / s.rate,
    );
    return first < 0 ? [] : items.slice(first);
  }

  /** `response.output_audio.done`: emits the resampler tail, then `audioDone`. */
  audioDone(ev: ServerEventOf<'response.output_audio.done'>): void {
    const s = this.audioItems.get(ev.item_id);
    if (s) s.done = true;
    if (this.cancelledResponses.has(ev.response_id)) return;
    const tail = this.output.endStream();
    if (tail && s) this.emitPcm(tail, s, ev.item_id);
    this.host.emit('audioDone', { itemId: ev.item_id, responseId: ev.response_id });
  }

  audioDelta(ev: ServerEventOf<'response.output_audio.delta'>): void {
    if (typeof ev.delta !== 'string')
      throw new RealtimeClientError('PROTOCOL', 'response.output_audio.delta without a string "delta"');
    if (this.cancelledResponses.has(ev.response_id)) return; // the listener interrupted it
    let decoded: DecodedDelta;
    try {
      decoded = this.output.decode(ev.delta);
    } catch (err) {
      throw new RealtimeClientError(
        'PROTOCOL',
        `undecodable audio delta for item ${ev.item_id}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (this.turnStartedAt !== null) {
      this.latency.add(performance.now() - this.turnStartedAt);
      this.turnStartedAt = null;
    }
    let s = this.audioItems.get(ev.item_id);
    if (!s) {
      s = {
        responseId: ev.response_id,
        contentIndex: ev.content_index,
        samples: 0,
        rate: this.output.wireRate,
        delivered: 0,
        done: false,
        truncated: false,
      };
      this.audioItems.set(ev.item_id, s);
      if (this.audioItems.size > MAX_AUDIO_ITEMS)
        this.audioItems.delete(this.audioItems.keys().next().value as string);
    }
    this.latestAudioResponseId = ev.response_id;
    s.samples += decoded.wireSamples;
    const rate = this.output.wireRate;
    if (decoded.encoded) {
      if (this.conversation.retainsAudio)
        this.conversation.addAudio(ev.item_id, this.output.decodeEncoded(decoded.encoded), rate);
      else this.conversation.addDuration(ev.item_id, decoded.wireSamples, rate);
      const frame: EncodedFrame = {
        codec: this.output.passThroughCodec ?? 'pcmu',
        data: decoded.encoded,
        sampleRate: rate,
        channels: 1,
        samples: decoded.encoded.length,
        position: s.delivered,
      };
      this.emitFrame(frame, s, ev.item_id);
      return;
    }
    if (decoded.wire) this.conversation.addAudio(ev.item_id, decoded.wire, rate);
    if (decoded.pcm && decoded.pcm.length > 0) this.emitPcm(decoded.pcm, s, ev.item_id);
  }

  private emitPcm(pcm: Int16Array, s: AudioItemState, itemId: string): void {
    this.emitFrame(
      { data: pcm, sampleRate: this.output.sampleRate, channels: 1, position: s.delivered },
      s,
      itemId,
    );
  }

  /** Emits one `audio` frame of an item and advances the item's delivered position. */
  private emitFrame(frame: AnyFrame, s: AudioItemState, itemId: string): void {
    const samples = frameSamples(frame);
    s.delivered += samples;
    s.deliveredRate = frame.sampleRate;
    this.host.emit('audio', frame, { responseId: s.responseId, itemId, contentIndex: s.contentIndex });
  }
}
