import { mulaw, Resampler, type ResamplerQuality } from '@voxwire/codecs';
import { BYTES_PER_MS, TWILIO_SAMPLE_RATE } from './protocol.js';

/** A hole in the inbound stream, found from `sequenceNumber` and `timestamp`. */
export interface TwilioGap {
  /** Messages missing before this one (sequence numbers skipped). */
  missingMessages: number;
  /** Audio missing before this frame, in ms; filled with silence on the `audio` event. */
  missingMs: number;
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
}

/**
 * Tracks Twilio's `sequenceNumber` (shared by every message of the stream) and `media.timestamp` (ms since
 * the stream started) to find lost messages and missing audio.
 */
export class InboundTimeline {
  readonly stats: TwilioInboundStats = { frames: 0, gaps: 0, missingMessages: 0, filledMs: 0, lateFrames: 0 };
  private lastSeq = -1;
  private pendingMissing = 0;
  /** Stream time at which the next frame is expected, in ms; -1 before the first frame. */
  private nextTs = -1;

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
        gap = { missingMessages: this.pendingMissing, missingMs, atMs: timestampMs };
        this.stats.gaps++;
        this.stats.filledMs += missingMs;
      } else if (missingMs < 0) {
        this.stats.lateFrames++;
      }
    } else if (this.pendingMissing > 0 && timestampMs === undefined) {
      // Without timestamps, a skipped sequence number is the only clue; report it without filling.
      gap = { missingMessages: this.pendingMissing, missingMs: 0, atMs: this.nextTs };
      this.stats.gaps++;
    }
    this.pendingMissing = 0;
    const start = timestampMs ?? Math.max(this.nextTs, 0);
    this.nextTs = Math.max(this.nextTs, start + durationMs);
    return gap;
  }
}

/**
 * Decodes inbound mu-law to Int16 PCM at the rate the user asked for, with one streaming resampler per call
 * so that the output does not depend on frame boundaries.
 */
export class InboundDecoder {
  readonly sampleRate: number;
  private readonly resampler: Resampler | null;
  private decodeBuf = new Int16Array(160);
  private silence = new Int16Array(160);

  constructor(sampleRate: number, quality: ResamplerQuality) {
    this.sampleRate = sampleRate;
    this.resampler =
      sampleRate === TWILIO_SAMPLE_RATE
        ? null
        : new Resampler({ inputRate: TWILIO_SAMPLE_RATE, outputRate: sampleRate, quality });
  }

  /** Decodes one frame; the result is a fresh array the caller may keep (the resampler's contract). */
  decode(codes: Uint8Array): Int16Array {
    if (this.resampler === null) return mulaw.decode(codes);
    if (this.decodeBuf.length < codes.length) this.decodeBuf = new Int16Array(codes.length);
    return this.resampler.process(mulaw.decode(codes, this.decodeBuf));
  }

  /** Produces `ms` of silence at the output rate, through the resampler so its state stays continuous. */
  silenceFor(ms: number): Int16Array {
    const samples = Math.round(ms * BYTES_PER_MS);
    if (this.resampler === null) return new Int16Array(samples);
    if (this.silence.length < samples) this.silence = new Int16Array(samples);
    return this.resampler.process(this.silence.subarray(0, samples));
  }

  /** Drains the resampler at the end of the stream. */
  flush(): Int16Array {
    return this.resampler === null ? new Int16Array(0) : this.resampler.flush();
  }
}
