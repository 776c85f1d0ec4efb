import { EventEmitter } from 'node:events';
import { type AudioFrame, audioFrame, Resampler } from '@voxwire/codecs';
import { VadError } from './errors.js';
import type { Vad } from './vad.js';

/** Options of {@link VadSegmenter}. Durations are in ms of audio; positions in input samples. */
export interface VadSegmenterOptions {
  /** The detector that scores each frame ({@link EnergyVad}, {@link SileroVad} or your own {@link Vad}). */
  vad: Vad;
  /** Sample rate of the frames you push, in Hz. Default: the VAD's rate. Other rates are resampled to it. */
  sampleRate?: number;
  /** Interleaved channels of the frames you push (mixed to mono for the VAD; `audio` keeps them). Default 1. */
  channels?: number;
  /** Probability at or above which a frame is speech. Default 0.5 (OpenAI server VAD). */
  threshold?: number;
  /** Probability below which a frame counts towards silence once speaking. Default `threshold - 0.15`. */
  negativeThreshold?: number;
  /** Speech must last this long (frames above `negativeThreshold`) before `speechStart`. Default 100. */
  minSpeechMs?: number;
  /** Silence that ends an utterance. Default 500 (OpenAI `silence_duration_ms`). */
  minSilenceMs?: number;
  /** Audio kept before the speech onset and put in front of `speechEnd.audio`. Default 300 (OpenAI `prefix_padding_ms`). */
  prefixPaddingMs?: number;
  /**
   * Speech going on this long is ended (reason `'maxSpeech'`) and a new utterance may start at once; bounds
   * the memory kept for `audio`. Default 60000.
   */
  maxSpeechMs?: number;
  /** Keep the utterance audio for `speechEnd.audio`. Default true; false saves the copy. */
  includeAudio?: boolean;
}

/** Emitted when speech is confirmed. */
export interface SpeechStartEvent {
  /** Input sample (from the start of the stream) where speech begins. */
  startSample: number;
  /** `startSample` in ms, rounded. */
  ms: number;
  /** Where the utterance's audio begins: `startSample` minus the prefix padding, never below 0. */
  audioStartSample: number;
  /** `audioStartSample` in ms: what OpenAI reports as `audio_start_ms`. */
  audioStartMs: number;
}

/** Emitted when an utterance ends (after `minSilenceMs` of silence, `maxSpeechMs`, or `flush()`). */
export interface SpeechEndEvent {
  /** Input sample where speech began (same as the matching `speechStart`). */
  startSample: number;
  /** Input sample just after the last speech frame. */
  endSample: number;
  /** `endSample` in ms, rounded. */
  ms: number;
  /** Where `audio` begins: `startSample` minus the prefix padding, never below 0. */
  audioStartSample: number;
  /**
   * The utterance at the input rate and channels, `[audioStartSample, endSample)`: its `position` is
   * `audioStartSample`. Yours to keep (not borrowed). Empty when `includeAudio` is false.
   */
  audio: AudioFrame;
  /** Why it ended. */
  reason: 'silence' | 'maxSpeech' | 'flush';
}

/** Emitted for every VAD frame (for meters). */
export interface ProbabilityEvent {
  /** The frame's speech probability, 0..1. */
  probability: number;
  /** Input sample (from the start of the stream) where the frame starts. */
  startSample: number;
}

/** Events of {@link VadSegmenter}. */
export interface VadSegmenterEvents {
  speechStart: [event: SpeechStartEvent];
  speechEnd: [event: SpeechEndEvent];
  /** Every VAD frame: its speech probability and where it starts. */
  probability: [event: ProbabilityEvent];
}

/** The frame handed to the VAD: one object and one buffer, reused for every frame (lent, see {@link Vad.process}). */
type LentFrame = { -readonly [K in keyof AudioFrame]: AudioFrame[K] };

type State = 'idle' | 'pending' | 'speech';

/** How far before the threshold crossing an onset may be placed (frames above `negativeThreshold`). */
const LOOKBACK_MS = 200;

/**
 * Turns {@link AudioFrame}s of any size and rate into speech start/end events with sample-accurate positions, like
 * OpenAI's server VAD. Input is resampled (with `@voxwire/codecs`' Resampler) to the VAD's rate and cut
 * into its frames; events fire from inside `push`/`flush` and do not depend on how the input was chunked.
 *
 * `push` returns a promise that settles once that audio has been scored; with a synchronous VAD
 * ({@link EnergyVad}) all events have already fired when `push` returns. Pushes may be made without
 * awaiting: they are processed in order, and the frame's buffer may be reused as soon as `push` returns
 * (pushed frames may be borrowed).
 */
export class VadSegmenter extends EventEmitter<VadSegmenterEvents> {
  readonly vad: Vad;
  readonly sampleRate: number;
  readonly channels: number;
  readonly threshold: number;
  readonly negativeThreshold: number;
  private readonly frameSize: number;
  private readonly minSpeechFrames: number;
  private readonly minSilenceFrames: number;
  private readonly maxSpeechFrames: number;
  private readonly lookbackFrames: number;
  private readonly prefixSamples: number;
  private readonly includeAudio: boolean;
  private readonly resampler: Resampler | null;
  private readonly ratio: number;

  // VAD-rate samples waiting to be framed, and the frame handed to the VAD (reused).
  private pending = new Int16Array(4096);
  private pendingStart = 0;
  private pendingEnd = 0;
  private readonly frame: LentFrame;
  private mono = new Int16Array(0);
  private resampled = new Int16Array(0);

  // Input audio from absolute sample `historyBase` on, interleaved, for prefix padding and utterance audio.
  private history = new Int16Array(0);
  private historyBase = 0;
  private historyLen = 0;

  private inputTotal = 0;
  private frameIndex = 0;
  private state: State = 'idle';
  private speechStartFrame = 0;
  private crossFrame = 0;
  // First frame of the current run of frames at or above `negativeThreshold` while idle (-1: none).
  private riseFrame = -1;
  private silenceStartFrame = -1;
  private inflight: Promise<void> | null = null;
  private pumping = false;
  private generation = 0;

  constructor(options: VadSegmenterOptions) {
    super();
    const vad = options?.vad;
    if (!vad || typeof vad.process !== 'function' || !(vad.frameSize > 0) || !(vad.sampleRate > 0)) {
      throw new VadError(
        'INVALID_ARGUMENT',
        'VadSegmenter needs options.vad: an EnergyVad, SileroVad or other Vad',
      );
    }
    this.vad = vad;
    this.frameSize = vad.frameSize;
    this.frame = {
      data: new Int16Array(vad.frameSize),
      sampleRate: vad.sampleRate,
      channels: 1,
      position: 0,
    };
    const rate = options.sampleRate ?? vad.sampleRate;
    if (!Number.isInteger(rate) || rate < 1000 || rate > 384000) {
      throw new VadError(
        'SAMPLE_RATE',
        `VadSegmenter sampleRate must be an integer number of Hz, got ${rate}`,
      );
    }
    this.sampleRate = rate;
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
      throw new VadError('INVALID_ARGUMENT', `VadSegmenter channels must be 1..32, got ${channels}`);
    }
    this.channels = channels;
    this.threshold = inRange(options.threshold ?? 0.5, 0, 1, 'threshold');
    this.negativeThreshold = inRange(
      options.negativeThreshold ?? Math.max(0.01, this.threshold - 0.15),
      0,
      this.threshold,
      'negativeThreshold',
    );
    const frameMs = (vad.frameSize * 1000) / vad.sampleRate;
    const ms = (value: number | undefined, fallback: number, name: string) =>
      inRange(value ?? fallback, 0, Number.POSITIVE_INFINITY, name);
    this.minSpeechFrames = Math.max(1, Math.ceil(ms(options.minSpeechMs, 100, 'minSpeechMs') / frameMs));
    this.minSilenceFrames = Math.max(1, Math.ceil(ms(options.minSilenceMs, 500, 'minSilenceMs') / frameMs));
    const maxSpeechMs = ms(options.maxSpeechMs, 60_000, 'maxSpeechMs');
    this.maxSpeechFrames = Math.max(this.minSpeechFrames, Math.floor(maxSpeechMs / frameMs));
    this.lookbackFrames = Math.max(1, Math.round(LOOKBACK_MS / frameMs));
    this.prefixSamples = Math.round((ms(options.prefixPaddingMs, 300, 'prefixPaddingMs') * rate) / 1000);
    this.includeAudio = options.includeAudio ?? true;
    this.ratio = rate / vad.sampleRate;
    this.resampler =
      rate === vad.sampleRate
        ? null
        : new Resampler({ inputRate: rate, outputRate: vad.sampleRate, quality: 'low' });
  }

  /** True between `speechStart` and `speechEnd`. */
  get speaking(): boolean {
    return this.state === 'speech';
  }

  /** Input samples (per channel) pushed since the start of the stream. */
  get samplesIn(): number {
    return this.inputTotal;
  }

  /**
   * Adds a frame of audio at the segmenter's `sampleRate` and `channels`. Events fire as VAD frames are
   * scored; their positions count the samples pushed since the stream began (the frame's own `position` is
   * not consulted, so a stream that skips or restarts numbering does not move the events).
   * @throws {VadError} (synchronously) `INVALID_ARGUMENT` for anything but an {@link AudioFrame} of Int16 PCM
   * with the configured channel count, `SAMPLE_RATE` for a frame at another rate.
   * @returns a promise settled once this audio has been scored (rejected if the VAD fails).
   */
  push(frame: AudioFrame): Promise<void> {
    const pcm = this.checkFrame(frame);
    const frames = pcm.length / this.channels;
    if (frames === 0) return this.pump();
    if (this.includeAudio) this.keepHistory(pcm);
    this.inputTotal += frames;
    const mono = this.toMono(pcm, frames);
    if (this.resampler) {
      const count = this.resampler.outputLength(frames);
      if (this.resampled.length < count)
        this.resampled = new Int16Array(Math.max(count, this.resampled.length * 2));
      this.enqueue(this.resampler.process(mono, this.resampled));
    } else {
      this.enqueue(mono);
    }
    return this.pump();
  }

  /**
   * Ends the stream: scores the remaining audio (the last partial frame padded with silence), ends an open
   * utterance with reason `'flush'`, then resets so the next `push` starts a new stream at sample 0.
   */
  async flush(): Promise<void> {
    await this.pump();
    if (this.resampler) this.enqueue(this.resampler.flush());
    const rest = this.pendingEnd - this.pendingStart;
    if (rest > 0 && rest % this.frameSize !== 0) {
      const pad = this.frameSize - (rest % this.frameSize);
      this.enqueue(new Int16Array(pad)); // once per stream: not worth a kept buffer
    }
    await this.pump();
    if (this.state === 'speech') {
      this.endSpeech(Math.min(this.inputTotal, this.toInput(this.frameIndex * this.frameSize)), 'flush');
    }
    this.resetStream();
  }

  /** Drops all audio and state (including the VAD's) without emitting anything; sample positions restart at 0. */
  reset(): void {
    this.resampler?.reset();
    this.resetStream();
  }

  private checkFrame(frame: AudioFrame): Int16Array {
    const pcm = (frame as Partial<AudioFrame> | null)?.data;
    if (!(pcm instanceof Int16Array)) {
      throw new VadError(
        'INVALID_ARGUMENT',
        'VadSegmenter.push expects an AudioFrame of Int16 PCM (build one with audioFrame() from @voxwire/codecs)',
      );
    }
    if (frame.sampleRate !== this.sampleRate) {
      throw new VadError(
        'SAMPLE_RATE',
        `VadSegmenter.push: got a ${frame.sampleRate} Hz frame, the segmenter was created for ${this.sampleRate} Hz`,
      );
    }
    if (frame.channels !== this.channels || pcm.length % this.channels !== 0) {
      throw new VadError(
        'INVALID_ARGUMENT',
        `VadSegmenter.push: expects whole ${this.channels}-channel frames, got ${pcm.length} samples of ${frame.channels} channels`,
      );
    }
    return pcm;
  }

  private resetStream(): void {
    this.generation++;
    this.inflight = null;
    this.vad.reset();
    this.pendingStart = 0;
    this.pendingEnd = 0;
    this.historyBase = 0;
    this.historyLen = 0;
    this.inputTotal = 0;
    this.frameIndex = 0;
    this.state = 'idle';
    this.silenceStartFrame = -1;
    this.riseFrame = -1;
  }

  // Scores whole frames, synchronously while the VAD answers synchronously; chains on a promise otherwise.
  private pump(): Promise<void> {
    if (this.inflight) return this.inflight;
    // A listener that pushes (or resets) from inside an event: the running loop picks the new audio up.
    if (this.pumping) return Promise.resolve();
    const generation = this.generation;
    this.pumping = true;
    try {
      while (this.pendingEnd - this.pendingStart >= this.frameSize && generation === this.generation) {
        this.frame.data.set(this.pending.subarray(this.pendingStart, this.pendingStart + this.frameSize));
        this.frame.position = this.frameIndex * this.frameSize;
        this.pendingStart += this.frameSize;
        const result = this.vad.process(this.frame);
        if (typeof result === 'number') {
          this.score(result);
          continue;
        }
        const chained: Promise<void> = result.then(
          (p) => {
            if (generation !== this.generation) return;
            this.inflight = null;
            this.pumping = true;
            try {
              this.score(p);
            } finally {
              this.pumping = false;
            }
            return this.pump();
          },
          (cause: unknown) => {
            if (generation === this.generation) this.inflight = null;
            throw cause;
          },
        );
        this.inflight = chained;
        return chained;
      }
    } catch (cause) {
      return Promise.reject(cause);
    } finally {
      this.pumping = false;
    }
    return Promise.resolve();
  }

  private score(p: number): void {
    const k = this.frameIndex++;
    const frameStart = this.toInput(k * this.frameSize);
    // One object per VAD frame only when someone listens: meters are optional, the segmenter is a hot path.
    if (this.listenerCount('probability') > 0)
      this.emit('probability', { probability: p, startSample: frameStart });
    switch (this.state) {
      case 'idle':
        if (p < this.negativeThreshold) this.riseFrame = -1;
        else if (this.riseFrame < 0) this.riseFrame = k;
        if (p >= this.threshold) {
          this.state = 'pending';
          this.crossFrame = k;
          // Hysteresis backwards as well as forwards: the onset is where the probability started rising
          // above the negative threshold (bounded), not the later frame where it crossed the threshold.
          this.speechStartFrame = Math.max(this.riseFrame, k - this.lookbackFrames);
          this.riseFrame = -1;
          if (this.minSpeechFrames <= 1) this.startSpeech();
        }
        break;
      case 'pending':
        if (p < this.negativeThreshold) this.state = 'idle';
        else if (k - this.crossFrame + 1 >= this.minSpeechFrames) this.startSpeech();
        break;
      case 'speech':
        if (p >= this.threshold) this.silenceStartFrame = -1;
        else if (p < this.negativeThreshold && this.silenceStartFrame < 0) this.silenceStartFrame = k;
        if (this.silenceStartFrame >= 0 && k - this.silenceStartFrame + 1 >= this.minSilenceFrames) {
          this.endSpeech(this.toInput(this.silenceStartFrame * this.frameSize), 'silence');
        } else if (this.silenceStartFrame < 0 && k + 1 - this.speechStartFrame >= this.maxSpeechFrames) {
          // Only while still speaking: an utterance already counting down its silence ends by silence.
          this.endSpeech(this.toInput((k + 1) * this.frameSize), 'maxSpeech');
        }
        break;
    }
    if (this.state === 'idle') this.trimHistory(this.toInput((k + 1 - this.lookbackFrames) * this.frameSize));
  }

  private startSpeech(): void {
    this.state = 'speech';
    this.silenceStartFrame = -1;
    const startSample = this.toInput(this.speechStartFrame * this.frameSize);
    const audioStartSample = this.audioStart(startSample);
    this.emit('speechStart', {
      startSample,
      ms: this.toMs(startSample),
      audioStartSample,
      audioStartMs: this.toMs(audioStartSample),
    });
  }

  private endSpeech(endSample: number, reason: SpeechEndEvent['reason']): void {
    this.state = 'idle';
    this.silenceStartFrame = -1;
    const startSample = this.toInput(this.speechStartFrame * this.frameSize);
    const audioStartSample = this.audioStart(startSample);
    let data = new Int16Array(0);
    if (this.includeAudio) {
      const ch = this.channels;
      const from = (audioStartSample - this.historyBase) * ch;
      const to = Math.min(this.historyLen, (endSample - this.historyBase) * ch);
      data = this.history.slice(Math.max(0, from), Math.max(0, to));
    }
    const audio = audioFrame(data, this.sampleRate, this.channels, audioStartSample);
    this.emit('speechEnd', {
      startSample,
      endSample,
      ms: this.toMs(endSample),
      audioStartSample,
      audio,
      reason,
    });
  }

  private audioStart(startSample: number): number {
    return Math.max(0, startSample - this.prefixSamples);
  }

  // VAD-rate sample position → input sample position. The resampler compensates its delay, so this is exact.
  private toInput(vadSample: number): number {
    return Math.round(vadSample * this.ratio);
  }

  private toMs(sample: number): number {
    return Math.round((sample * 1000) / this.sampleRate);
  }

  private toMono(pcm: Int16Array, frames: number): Int16Array {
    const ch = this.channels;
    if (ch === 1) return pcm;
    if (this.mono.length < frames) this.mono = new Int16Array(Math.max(frames, this.mono.length * 2));
    const out = this.mono;
    for (let i = 0, j = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < ch; c++) s += pcm[j++];
      out[i] = Math.round(s / ch);
    }
    return out.subarray(0, frames);
  }

  private enqueue(samples: Int16Array): void {
    const n = samples.length;
    if (this.pendingEnd + n > this.pending.length) {
      const live = this.pendingEnd - this.pendingStart;
      if (live + n > this.pending.length) {
        const grown = new Int16Array(Math.max(live + n, this.pending.length * 2));
        grown.set(this.pending.subarray(this.pendingStart, this.pendingEnd));
        this.pending = grown;
      } else {
        this.pending.copyWithin(0, this.pendingStart, this.pendingEnd);
      }
      this.pendingStart = 0;
      this.pendingEnd = live;
    }
    this.pending.set(samples, this.pendingEnd);
    this.pendingEnd += n;
  }

  private keepHistory(pcm: Int16Array): void {
    const need = this.historyLen + pcm.length;
    if (need > this.history.length) {
      const grown = new Int16Array(Math.max(need, this.history.length * 2, 16384));
      grown.set(this.history.subarray(0, this.historyLen));
      this.history = grown;
    }
    this.history.set(pcm, this.historyLen);
    this.historyLen += pcm.length;
  }

  // While idle, only the prefix padding before the next frame can still become utterance audio.
  private trimHistory(nextFrameStart: number): void {
    if (!this.includeAudio) return;
    const keepFrom = Math.max(this.historyBase, nextFrameStart - this.prefixSamples);
    const drop = (keepFrom - this.historyBase) * this.channels;
    // Compact only when the dead head is large, so trimming costs O(1) amortised per sample.
    if (drop < 8192 || drop < this.historyLen / 2) return;
    this.history.copyWithin(0, drop, this.historyLen);
    this.historyLen -= drop;
    this.historyBase = keepFrom;
  }
}

function inRange(value: number, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new VadError('INVALID_ARGUMENT', `VadSegmenter ${name} must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}
