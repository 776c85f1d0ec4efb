import { Framer, mulaw, Resampler, type ResamplerQuality } from '@voxwire/codecs';
import { TwilioStreamError } from './errors.js';
import { BYTES_PER_MS, FRAME_BYTES, jsonString, TWILIO_SAMPLE_RATE } from './protocol.js';

/** How an utterance (or any mark) ended: played to its end, or dropped by `clear()` / hang-up first. */
export interface TwilioMarkResult {
  /** The mark's name. */
  name: string;
  /** True when the far end echoed the mark after playing the audio before it; false when flushed. */
  played: boolean;
  /** Confirmed playback position of the call's outbound audio when this mark was resolved, in ms. */
  playedMs: number;
  /** Position of the mark in the call's outbound timeline, in ms (where it would have played). */
  positionMs: number;
}

/** What `clear()` dropped and where playback stood. */
export interface TwilioClearResult {
  /**
   * Outbound playback position confirmed by echoed marks before the clear was sent, in ms. Audio whose echo
   * was still in flight counts as not played (at most the far end's one-way delay; under one frame on a
   * short link). The outbound timeline restarts here.
   */
  playedMs: number;
  /** Audio dropped: queued locally, in flight, or buffered at Twilio, in ms. */
  droppedMs: number;
  /** Names of the utterance marks that were flushed instead of played. */
  flushedMarks: string[];
}

/** Options of {@link OutboundPlayout}. */
export interface OutboundPlayoutOptions {
  /** Writes one text frame to the socket. */
  send: (text: string) => void;
  /**
   * Most audio, in ms, sent to Twilio but not yet confirmed played. The rest waits in a local queue that
   * `clear()` can drop. `Infinity` sends everything at once. Needs `progressMarks`.
   */
  maxAheadMs: number;
  /** Send an internal mark after every frame so playback is known to the frame (default true). */
  progressMarks: boolean;
  /** Most audio, in ms, waiting locally (not yet sent); beyond it the oldest waiting frames are dropped. */
  maxQueueMs: number;
  /** Resampler preset for audio sent at rates other than 8 kHz. */
  resamplerQuality: ResamplerQuality;
  /** Called for every resolved utterance mark. */
  onMark: (result: TwilioMarkResult) => void;
  /** Called when the confirmed playback position advances. */
  onPlayed: (playedMs: number) => void;
}

enum ItemKind {
  Media = 0,
  Mark = 1,
}

interface PendingMark {
  name: string;
  /** Timeline position (bytes) the mark follows. */
  pos: number;
  /** Utterance marks are reported to the user; progress marks only move the playback position. */
  resolve: ((r: TwilioMarkResult) => void) | null;
}

interface QueueItem {
  kind: ItemKind;
  /** Base64 payload of one 160-byte frame (media). */
  payload: string;
  /**
   * Timeline position (bytes) at the end of this frame (media), plus the queue's `shift` when it was queued:
   * the real position is `end - shift` (see {@link OutboundPlayout.dropOldestWaiting}).
   */
  end: number;
  /** The mark (mark). */
  mark: PendingMark | null;
}

const PROGRESS_PREFIX = 'vx:';

/**
 * The outbound half of a call: turns PCM at any rate, or mu-law, into exact 160-byte frames (remainder
 * carried between calls, the last frame padded with mu-law silence `0xFF` only when an utterance ends),
 * paces them to Twilio against echoed marks, and tracks what was played. No wall clock is involved:
 * playback position comes only from Twilio's mark echoes.
 */
export class OutboundPlayout {
  private readonly opts: OutboundPlayoutOptions;
  private readonly maxAheadBytes: number;
  private readonly maxQueueBytes: number;
  /** Bytes dropped from the local queue to stay under `maxQueueMs`. */
  private overflowBytes = 0;
  /** An utterance has audio and has not ended (nor been cleared). */
  private utteranceOpen = false;
  /** Twilio played everything sent while the utterance was open; reset by the next frame. */
  private dry = false;
  private underrunCount = 0;
  /**
   * Bytes dropped from the head of the waiting queue since it was last empty. Waiting items store positions
   * plus the shift at the time they were queued, so a drop moves every later item back in O(1).
   */
  private shift = 0;
  private readonly framer = new Framer({ frameSize: FRAME_BYTES, encoding: 'mulaw', padLastFrame: true });
  private resampler: Resampler | null = null;
  private resamplerRate = 0;
  private encodeBuf = new Uint8Array(FRAME_BYTES * 4);
  private resampleBuf = new Int16Array(FRAME_BYTES * 4);
  private mediaPrefix = '';
  private markPrefix = '';
  private clearMessage = '';
  private started = false;

  private queue: QueueItem[] = [];
  private queueHead = 0;
  private pending: PendingMark[] = [];
  private pendingHead = 0;
  /** Names of marks flushed by clear whose echo has not arrived yet. */
  private readonly flushed = new Set<string>();

  /** Timeline end of the audio framed so far (bytes). */
  private queuedBytes = 0;
  /** Timeline end of the audio written to the socket (bytes). */
  private wireBytes = 0;
  /** Timeline position confirmed played by mark echoes (bytes). */
  private playedBytes = 0;
  private progressSeq = 0;
  private utteranceSeq = 0;
  private readonly onFrame = (frame: Uint8Array) => this.enqueueFrame(frame);

  constructor(opts: OutboundPlayoutOptions) {
    this.opts = opts;
    this.maxAheadBytes = opts.progressMarks ? opts.maxAheadMs * BYTES_PER_MS : Number.POSITIVE_INFINITY;
    this.maxQueueBytes = opts.maxQueueMs * BYTES_PER_MS;
  }

  /** Binds the stream once `start` arrived; audio queued before it is sent now. */
  start(streamSid: string): void {
    const sid = jsonString(streamSid);
    this.mediaPrefix = `{"event":"media","streamSid":${sid},"media":{"payload":"`;
    this.markPrefix = `{"event":"mark","streamSid":${sid},"mark":{"name":`;
    this.clearMessage = `{"event":"clear","streamSid":${sid}}`;
    this.started = true;
    this.pump();
  }

  /** Confirmed playback position (ms of the outbound timeline). */
  playedMs(): number {
    return this.playedBytes / BYTES_PER_MS;
  }

  /** End of the framed outbound audio (ms of the outbound timeline). */
  sentMs(): number {
    return this.queuedBytes / BYTES_PER_MS;
  }

  /** Audio dropped from the local queue to stay under `maxQueueMs`, in ms. */
  overflowDroppedMs(): number {
    return this.overflowBytes / BYTES_PER_MS;
  }

  /**
   * Times Twilio ran out of audio in the middle of an utterance: a progress mark confirmed everything sent
   * as played while the utterance was still open (the caller heard a gap). Counted once per dry spell;
   * needs progress marks (without them nothing is confirmed before the utterance ends).
   */
  underruns(): number {
    return this.underrunCount;
  }

  /** Audio framed but not yet confirmed played, in ms. */
  bufferedMs(): number {
    return (this.queuedBytes - this.playedBytes) / BYTES_PER_MS;
  }

  /** Appends PCM to the current utterance, resampling to 8 kHz first when needed. */
  sendAudio(pcm: Int16Array, sampleRate: number): void {
    if (!(pcm instanceof Int16Array)) {
      throw new TwilioStreamError('INVALID_ARGUMENT', 'sendAudio expects an Int16Array of PCM samples');
    }
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `sendAudio: sample rate must be a positive integer, got ${sampleRate}`,
      );
    }
    if (sampleRate === TWILIO_SAMPLE_RATE) {
      this.flushResampler();
      this.encodeAndFrame(pcm);
      return;
    }
    if (this.resampler === null || this.resamplerRate !== sampleRate) {
      this.flushResampler();
      this.resampler = new Resampler({
        inputRate: sampleRate,
        outputRate: TWILIO_SAMPLE_RATE,
        quality: this.opts.resamplerQuality,
      });
      this.resamplerRate = sampleRate;
    }
    const n = this.resampler.outputLength(pcm.length);
    if (this.resampleBuf.length < n) this.resampleBuf = new Int16Array(n * 2);
    this.encodeAndFrame(this.resampler.process(pcm, this.resampleBuf));
  }

  /** Appends 8 kHz mu-law bytes to the current utterance, unchanged. */
  sendMulaw(codes: Uint8Array): void {
    if (!(codes instanceof Uint8Array)) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        'sendMulaw expects a Uint8Array (or Buffer) of mu-law bytes',
      );
    }
    this.flushResampler();
    if (codes.length > 0) this.framer.push(codes, this.onFrame);
  }

  /**
   * Ends the current utterance: drains the resampler, pads the last frame with `0xFF`, and queues a mark.
   * @returns resolves when the mark is echoed (played) or dropped (clear, hang-up)
   */
  endUtterance(name?: string): Promise<TwilioMarkResult> {
    this.flushResampler();
    for (const frame of this.framer.flush()) this.enqueueFrame(frame);
    this.utteranceOpen = false;
    const markName = name ?? `utterance-${++this.utteranceSeq}`;
    return new Promise<TwilioMarkResult>((resolve) => {
      // Positions of waiting items carry the shift (see `shift`); sendMark takes it off.
      const mark: PendingMark = { name: markName, pos: this.queuedBytes + this.shift, resolve };
      this.queue.push({ kind: ItemKind.Mark, payload: '', end: this.queuedBytes + this.shift, mark });
      this.pump();
    });
  }

  /**
   * Barge-in: drops the local queue and the unfinished utterance, tells Twilio to drop its buffer, and
   * resolves every pending utterance mark as not played.
   */
  clear(): TwilioClearResult {
    const flushedMarks: string[] = [];
    const droppedBytes = this.queuedBytes - this.playedBytes + this.framer.pending;
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const m = this.queue[i].mark;
      if (m) m.pos -= this.shift;
      if (m?.resolve) this.resolveFlushed(m, flushedMarks);
    }
    this.queue = [];
    this.queueHead = 0;
    this.shift = 0;
    for (let i = this.pendingHead; i < this.pending.length; i++) {
      const m = this.pending[i];
      this.flushed.add(m.name);
      if (m.resolve) this.resolveFlushed(m, flushedMarks);
    }
    this.pending = [];
    this.pendingHead = 0;
    this.utteranceOpen = false;
    this.framer.reset();
    this.resampler?.reset();
    this.queuedBytes = this.playedBytes;
    this.wireBytes = this.playedBytes;
    if (this.started) this.opts.send(this.clearMessage);
    return { playedMs: this.playedMs(), droppedMs: droppedBytes / BYTES_PER_MS, flushedMarks };
  }

  /**
   * Handles a `mark` echo.
   * @returns false when no mark of that name was sent (a protocol error)
   */
  onMarkEcho(name: string): boolean {
    let j = this.pendingHead;
    while (j < this.pending.length && this.pending[j].name !== name) j++;
    if (j === this.pending.length) return this.flushed.delete(name);
    // Twilio echoes in order, so every mark before this one has played too.
    const before = this.playedBytes;
    for (let i = this.pendingHead; i <= j; i++) {
      const m = this.pending[i];
      if (m.pos > this.playedBytes) this.playedBytes = m.pos;
      if (m.resolve) {
        const result = {
          name: m.name,
          played: true,
          playedMs: this.playedMs(),
          positionMs: m.pos / BYTES_PER_MS,
        };
        m.resolve(result);
        this.opts.onMark(result);
      }
    }
    this.pendingHead = j + 1;
    if (this.pendingHead > 256 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    if (this.playedBytes !== before) this.opts.onPlayed(this.playedMs());
    if (this.utteranceOpen && !this.dry && this.playedBytes >= this.wireBytes) {
      this.dry = true;
      this.underrunCount++;
    }
    this.pump();
    return true;
  }

  /** Resolves everything still pending as not played (the stream closed). */
  close(): void {
    const ignored: string[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const m = this.queue[i].mark;
      if (m) m.pos -= this.shift;
      if (m?.resolve) this.resolveFlushed(m, ignored);
    }
    for (let i = this.pendingHead; i < this.pending.length; i++) {
      const m = this.pending[i];
      if (m.resolve) this.resolveFlushed(m, ignored);
    }
    this.queue = [];
    this.queueHead = 0;
    this.pending = [];
    this.pendingHead = 0;
    this.shift = 0;
    this.started = false;
  }

  private resolveFlushed(m: PendingMark, names: string[]): void {
    const result = {
      name: m.name,
      played: false,
      playedMs: this.playedMs(),
      positionMs: m.pos / BYTES_PER_MS,
    };
    m.resolve?.(result);
    m.resolve = null;
    names.push(m.name);
    this.opts.onMark(result);
  }

  private flushResampler(): void {
    if (this.resampler === null) return;
    const tail = this.resampler.flush();
    this.resampler.reset();
    if (tail.length > 0) this.encodeAndFrame(tail);
  }

  private encodeAndFrame(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    if (this.encodeBuf.length < pcm.length) this.encodeBuf = new Uint8Array(pcm.length * 2);
    this.framer.push(mulaw.encode(pcm, this.encodeBuf), this.onFrame);
  }

  private enqueueFrame(frame: Uint8Array): void {
    this.queuedBytes += frame.length;
    this.utteranceOpen = true;
    this.dry = false;
    const payload = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64');
    this.queue.push({ kind: ItemKind.Media, payload, end: this.queuedBytes + this.shift, mark: null });
    this.pump();
    const excess = this.queuedBytes - this.wireBytes - this.maxQueueBytes;
    if (excess > 0) this.dropOldestWaiting(excess);
  }

  /**
   * Drops the oldest media frames still waiting locally (never sent), at least `bytes` of them. After a pump
   * the head of the waiting queue is always a media frame (marks at the head are sent at once), so the
   * oldest frames are at the head: they are skipped, and every later position moves back by what was
   * dropped through `shift`, in O(1) per frame however long the queue. Marks keep their place in the audio
   * that does play: one whose audio was all dropped goes out at once.
   */
  private dropOldestWaiting(bytes: number): void {
    let dropped = 0;
    const q = this.queue;
    while (dropped < bytes && this.queueHead < q.length && q[this.queueHead].kind === ItemKind.Media) {
      this.queueHead++;
      dropped += FRAME_BYTES;
    }
    this.shift += dropped;
    this.queuedBytes -= dropped;
    this.overflowBytes += dropped;
    this.pump();
  }

  private pump(): void {
    if (!this.started) return;
    const q = this.queue;
    while (this.queueHead < q.length) {
      const item = q[this.queueHead];
      if (item.kind === ItemKind.Media) {
        if (this.wireBytes - this.playedBytes >= this.maxAheadBytes) break;
        this.opts.send(this.mediaPrefix + item.payload + '"}}');
        this.wireBytes = item.end - this.shift;
        if (this.opts.progressMarks)
          this.sendMark({ name: PROGRESS_PREFIX + ++this.progressSeq, pos: this.wireBytes, resolve: null });
      } else if (item.mark) {
        item.mark.pos -= this.shift;
        this.sendMark(item.mark);
      }
      this.queueHead++;
    }
    if (this.queueHead === q.length) {
      this.queue = [];
      this.queueHead = 0;
      this.shift = 0;
    } else if (this.queueHead > 256 && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private sendMark(mark: PendingMark): void {
    this.pending.push(mark);
    this.opts.send(`${this.markPrefix}${jsonString(mark.name)}}}`);
  }
}
