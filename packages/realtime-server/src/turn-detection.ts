/**
 * Server VAD seam: the session feeds input PCM to a {@link SpeechSegmenter} and turns its start/end
 * positions into `input_audio_buffer.speech_started/stopped`. Positions are in samples at the input rate,
 * counted from the segmenter's creation (the session adds its own offset).
 */

/** A speech boundary found by a segmenter. */
export type SegmentEvent =
  /** Speech began at `sample` (the first speech sample, before any prefix padding). */
  | { type: 'start'; sample: number }
  /** Speech is over: `sample` is where the silence timer ran out (last speech + silence duration). */
  | { type: 'end'; sample: number };

/** Streaming speech detector: output independent of how the input is chunked. */
export interface SpeechSegmenter {
  /** Feeds samples; returns the boundaries they complete, in order. */
  push(pcm: Int16Array): SegmentEvent[];
  /** Forgets any speech in progress (e.g. after `input_audio_buffer.clear`); positions keep counting. */
  reset(): void;
}

/** Settings a segmenter is built from: the session's `turn_detection`. */
export interface SegmenterSettings {
  sampleRate: number;
  /** Activation threshold, 0..1 (OpenAI's `threshold`). */
  threshold: number;
  /** Silence that ends a turn (OpenAI's `silence_duration_ms`). */
  silenceDurationMs: number;
}

/** Builds a segmenter for a session; pass one as `vad` to `createRealtimeServer` to use your own. */
export type SegmenterFactory = (settings: SegmenterSettings) => SpeechSegmenter;

/** Minimum run of speech frames before a start is reported, so clicks do not open a turn. */
const MIN_SPEECH_MS = 60;
const FRAME_MS = 10;

/**
 * Energy segmenter: per 10 ms frame, level in dBFS mapped to a 0..1 speech score (-70 dBFS → 0,
 * -30 dBFS → 1, so the default threshold 0.5 sits at -50 dBFS), 60 ms of speech to start, the
 * session's silence duration to end.
 */
export class EnergySegmenter implements SpeechSegmenter {
  private readonly frame: Int16Array;
  private fill = 0;
  private position = 0; // samples consumed
  private inSpeech = false;
  private runStart = -1; // first sample of the current run of speech frames
  private runFrames = 0;
  private silenceFrames = 0;
  private readonly minSpeechFrames: number;
  private readonly silenceFramesToEnd: number;
  private readonly frameSize: number;

  constructor(private readonly settings: SegmenterSettings) {
    this.frameSize = Math.round((settings.sampleRate * FRAME_MS) / 1000);
    this.frame = new Int16Array(this.frameSize);
    this.minSpeechFrames = Math.ceil(MIN_SPEECH_MS / FRAME_MS);
    this.silenceFramesToEnd = Math.max(1, Math.round(settings.silenceDurationMs / FRAME_MS));
  }

  push(pcm: Int16Array): SegmentEvent[] {
    const events: SegmentEvent[] = [];
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(this.frameSize - this.fill, pcm.length - offset);
      this.frame.set(pcm.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === this.frameSize) {
        this.onFrame(events);
        this.fill = 0;
        this.position += this.frameSize;
      }
    }
    return events;
  }

  reset(): void {
    this.inSpeech = false;
    this.runStart = -1;
    this.runFrames = 0;
    this.silenceFrames = 0;
  }

  private onFrame(events: SegmentEvent[]): void {
    let sum = 0;
    const f = this.frame;
    for (let i = 0; i < f.length; i++) sum += f[i] * f[i];
    const rms = Math.sqrt(sum / f.length) / 32768;
    const db = 20 * Math.log10(rms + 1e-9);
    const score = Math.min(1, Math.max(0, (db + 70) / 40));
    const speech = score >= this.settings.threshold;
    if (!this.inSpeech) {
      if (speech) {
        if (this.runFrames === 0) this.runStart = this.position;
        this.runFrames++;
        if (this.runFrames >= this.minSpeechFrames) {
          this.inSpeech = true;
          this.silenceFrames = 0;
          events.push({ type: 'start', sample: this.runStart });
        }
      } else {
        this.runFrames = 0;
      }
      return;
    }
    if (speech) {
      this.silenceFrames = 0;
      return;
    }
    this.silenceFrames++;
    if (this.silenceFrames >= this.silenceFramesToEnd) {
      events.push({ type: 'end', sample: this.position + this.frameSize });
      this.reset();
    }
  }
}

/** The default segmenter factory. */
export const energySegmenter: SegmenterFactory = (settings) => new EnergySegmenter(settings);
