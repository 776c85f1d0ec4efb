import { type AudioFrame, type EncodedFrame, mulaw, Resampler, type ResamplerQuality } from '@voxwire/codecs';
import { BYTES_PER_MS, TWILIO_SAMPLE_RATE } from './protocol.js';

/** A hole in the inbound stream, found from `sequenceNumber` and `timestamp`. */
export interface TwilioGap {
  /** Messages missing before this one (sequence numbers skipped). */
  missingMessages: number;
  /** Audio missing before this frame, in ms. */
  missingMs: number;
  /**
   * Silence inserted on the `audio` event for it, in ms: `missingMs`, or 0 when the gap is longer than
   * `maxGapMs` (then the timeline resyncs to the new timestamp and the call reports `GAP_TOO_LARGE`).
   */
  filledMs: number;
  /** Stream time (Twilio's `timestamp`) of the frame after the gap, in ms. */
  atMs: number;
}

/** Inbound counters of a call. */
export interface TwilioInboundStats {
  /** `media` messages accepted. */
  frames: number;
  /** Gaps found (see {@link TwilioGap}). */
  gaps: number;
  /** Messages missing by sequence number. */
  missingMessages: number;
  /** Silence inserted for missing audio, in ms. */
  filledMs: number;
  /** Frames whose timestamp went backwards or repeated (delivered anyway). */
  lateFrames: number;
  /** Gaps longer than `maxGapMs`, not filled (the timeline resynced). */
  resyncs: number;
}

/** Default most silence inserted for one timestamp gap, in ms. */
export const DEFAULT_MAX_GAP_MS = 5000;
/** Silence is delivered in pieces of at most this many ms, from one reused buffer. */
const FILL_CHUNK_MS = 200;

/**
 * Tracks Twilio's `sequenceNumber` (shared by every message of the stream) and `media.timestamp` (ms since
 * the stream started) to find lost messages and missing audio.
 */
export class InboundTimeline {
  readonly stats: TwilioInboundStats = {
    frames: 0,
    gaps: 0,
    missingMessages: 0,
    filledMs: 0,
    lateFrames: 0,
    resyncs: 0,
  };
  private readonly maxGapMs: number;
  private lastSeq = -1;
  private pendingMissing = 0;
  /** Stream time at which the next frame is expected, in ms; -1 before the first frame. */
  private nextTs = -1;
  /** Stream time of the frame last passed to {@link frame}, in ms: its timestamp, or where it follows on. */
  lastStartMs = 0;

  /** @param maxGapMs - longest gap filled with silence; a longer one resyncs the timeline instead */
  constructor(maxGapMs = DEFAULT_MAX_GAP_MS) {
    this.maxGapMs = maxGapMs;
  }

  /** Notes the sequence number of any message. */
  sequence(seq: number | undefined): void {
    if (seq === undefined) return;
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) {
      const missing = seq - this.lastSeq - 1;
      this.stats.missingMessages += missing;
      this.pendingMissing += missing;
    }
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  /**
   * Notes one accepted media frame.
   * @returns the gap before it, or null when it follows on
   */
  frame(timestampMs: number | undefined, bytes: number): TwilioGap | null {
    this.stats.frames++;
    const durationMs = bytes / BYTES_PER_MS;
    let gap: TwilioGap | null = null;
    if (timestampMs !== undefined && this.nextTs >= 0) {
      const missingMs = timestampMs - this.nextTs;
      if (missingMs > 0) {
        // A gap beyond the limit is not filled: one message must not make the server allocate hours of audio.
        const filledMs = missingMs > this.maxGapMs ? 0 : missingMs;
        gap = { missingMessages: this.pendingMissing, missingMs, filledMs, atMs: timestampMs };
        this.stats.gaps++;
        this.stats.filledMs += filledMs;
        if (filledMs === 0) this.stats.resyncs++;
      } else if (missingMs < 0) {
        this.stats.lateFrames++;
        // Far behind (after a bogus jump ahead, or a stream that restarted its clock): follow it again.
        if (-missingMs > this.maxGapMs) {
          this.stats.resyncs++;
          this.nextTs = -1;
        }
      }
    } else if (this.pendingMissing > 0 && timestampMs === undefined) {
      // Without timestamps, a skipped sequence number is the only clue; report it without filling.
      gap = { missingMessages: this.pendingMissing, missingMs: 0, filledMs: 0, atMs: this.nextTs };
      this.stats.gaps++;
    }
    this.pendingMissing = 0;
    const start = timestampMs ?? Math.max(this.nextTs, 0);
    this.lastStartMs = start;
    // After a resync the timeline follows the new timestamp.
    this.nextTs =
      gap !== null && gap.missingMs > 0 && gap.filledMs === 0
        ? start + durationMs
        : Math.max(this.nextTs, start + durationMs);
    return gap;
  }
}

/**
 * Decodes inbound mu-law to PCM frames at the rate the user asked for, with one streaming resampler per call
 * so that the output does not depend on frame boundaries. Positions count output samples: they start at the
 * stream time of the first decoded frame, run on without holes (filled gaps included) and jump where the
 * timeline resynced after a gap longer than `maxGapMs`.
 */
export class InboundDecoder {
  readonly sampleRate: number;
  private readonly resampler: Resampler | null;
  private decodeBuf = new Int16Array(160);
  private readonly silence = new Int16Array(FILL_CHUNK_MS * BYTES_PER_MS);
  /** Position of the next output sample; undefined until the first decode (set from the stream time). */
  private position: number | undefined;

  constructor(sampleRate: number, quality: ResamplerQuality) {
    this.sampleRate = sampleRate;
    this.resampler =
      sampleRate === TWILIO_SAMPLE_RATE
        ? null
        : new Resampler({ inputRate: TWILIO_SAMPLE_RATE, outputRate: sampleRate, quality });
  }

  /**
   * Decodes one frame that starts at `startMs` of stream time; the frame's data is a fresh array the caller
   * may keep (the resampler's contract).
   */
  decode(codes: Uint8Array, startMs: number): AudioFrame {
    this.position ??= Math.round((startMs * this.sampleRate) / 1000);
    let pcm: Int16Array;
    if (this.resampler === null) pcm = mulaw.decode(codes);
    else {
      if (this.decodeBuf.length < codes.length) this.decodeBuf = new Int16Array(codes.length);
      pcm = this.resampler.process(mulaw.decode(codes, this.decodeBuf));
    }
    return this.frame(pcm);
  }

  /** Moves the position over a stretch of stream time that was skipped, not filled (a resync). */
  skip(ms: number): void {
    if (this.position !== undefined) this.position += Math.round((ms * this.sampleRate) / 1000);
  }

  /**
   * Delivers `ms` of silence at the output rate in pieces of at most 200 ms, through the resampler so its
   * state stays continuous; each piece is a fresh array (the `pcm` event's contract). The caller bounds
   * `ms` (`maxGapMs`), so the work per message is bounded too.
   */
  fillSilence(ms: number, startMs: number, deliver: (frame: AudioFrame) => void): void {
    this.position ??= Math.round((startMs * this.sampleRate) / 1000);
    let samples = Math.round(ms * BYTES_PER_MS);
    while (samples > 0) {
      const n = Math.min(samples, this.silence.length);
      samples -= n;
      if (this.resampler === null) deliver(this.frame(new Int16Array(n)));
      else {
        const out = this.resampler.process(this.silence.subarray(0, n));
        if (out.length > 0) deliver(this.frame(out));
      }
    }
  }

  /** Drains the resampler at the end of the stream (an empty frame without one). */
  flush(): AudioFrame {
    return this.frame(this.resampler === null ? new Int16Array(0) : this.resampler.flush());
  }

  private frame(pcm: Int16Array): AudioFrame {
    const position = this.position ?? 0;
    this.position = position + pcm.length;
    return { data: pcm, sampleRate: this.sampleRate, channels: 1, position };
  }
}

/**
 * Builds `ms` of mu-law silence (`0xFF`) starting at stream time `startMs` as encoded frames of at most 200
 * ms, each a fresh buffer the listener may keep. Gaps are rare and bounded by `maxGapMs`.
 */
export function mulawSilence(ms: number, startMs: number, deliver: (frame: EncodedFrame) => void): void {
  let bytes = Math.round(ms * BYTES_PER_MS);
  let position = Math.round(startMs * BYTES_PER_MS);
  while (bytes > 0) {
    const n = Math.min(bytes, FILL_CHUNK_MS * BYTES_PER_MS);
    bytes -= n;
    deliver(pcmuFrame(new Uint8Array(n).fill(mulaw.silence), position));
    position += n;
  }
}

/** An 8 kHz mono mu-law {@link EncodedFrame} over `data` (no copy). */
export function pcmuFrame(data: Uint8Array, position: number): EncodedFrame {
  return { codec: 'pcmu', data, sampleRate: TWILIO_SAMPLE_RATE, channels: 1, samples: data.length, position };
}
