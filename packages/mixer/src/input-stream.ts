import { type AudioFrame, Resampler } from '@voxwire/codecs';
import { AudioRing } from '@voxwire/ringbuffer';
import { MixerError } from './errors.js';
import { GainRamp } from './gain-ramp.js';

/** Playout state of one input's jitter buffer. */
export type InputState =
  /** Has not reached its target depth yet since it was added (silent, not counted). */
  | 'idle'
  /** Refilling to the target depth after running dry (silent, each frame counted as an underrun). */
  | 'priming'
  /** Playing one frame per mixer frame. */
  | 'playing'
  /** Ended with `endStream` and drained. */
  | 'ended';

/** Per-input numbers of {@link AudioMixer.stats}. */
export interface InputStats {
  id: string;
  state: InputState;
  /** Audio waiting in the jitter buffer, ms. */
  bufferedMs: number;
  /** Latency this input adds: buffered audio plus the resampler's delay, ms. */
  addedLatencyMs: number;
  /** Mixer frames in which this input had less than a frame to give (after it had started). */
  underruns: number;
  /** Pushes that found the buffer at its maximum depth and dropped the oldest audio. */
  overruns: number;
  /** Audio dropped by overruns, ms. */
  droppedMs: number;
  /** Audio accepted by pushAudio (after resampling), ms. */
  receivedMs: number;
  /** Audio dropped unplayed by clearStream (barge-in), ms. */
  clearedMs: number;
  /** The gain set with setGain (the ramp's destination when not muted). */
  gain: number;
  muted: boolean;
}

/** Settings of one input, resolved by the mixer. */
export interface InputConfig {
  id: string;
  mixRate: number;
  mixChannels: number;
  frameSize: number;
  inputRate: number;
  inputChannels: number;
  gain: number;
  targetFrames: number;
  maxFrames: number;
  /** A shared ring another thread (or native code) fills; drained into this input before every frame. */
  source?: AudioRing<Int16Array> | AudioRing<Float32Array>;
}

/** Most frames taken from a source ring per drain step (bounds the scratch buffer). */
const SOURCE_CHUNK_FRAMES = 4096;

/**
 * One mixer input: converts pushed audio to Float32 at the mix rate and channel count (resampling with
 * @voxwire/codecs), queues it in a jitter buffer on an {@link AudioRing}, and hands out one frame per mix.
 * Producer and consumer of the ring are both the mixer's thread here; the ring keeps the counters.
 */
export class InputStream {
  readonly id: string;
  readonly ring: AudioRing<Float32Array>;
  readonly gain: GainRamp;
  userGain: number;
  muted = false;
  state: InputState = 'idle';
  ended = false;
  underruns = 0;
  overruns = 0;
  droppedFrames = 0;
  receivedFrames = 0;
  clearedFrames = 0;
  /** This input's gained contribution to the frame being mixed (reused every frame). */
  readonly frame: Float32Array;
  /** Buffered frames seen by the last pull, for latency accounting. */
  lastBufferedFrames = 0;

  private readonly cfg: InputConfig;
  private readonly resampler: Resampler | null;
  private readonly resamplerDelayFrames: number;
  /** Input converted to float, input channels (grow-only). */
  private floatBuf: Float32Array = new Float32Array(0);
  /** Mapped to mix channels, ready for the ring (grow-only). */
  private stageBuf: Float32Array = new Float32Array(0);
  /** Frames popped from the source ring (allocated on first use). */
  private sourceBuf: Int16Array | Float32Array | undefined;
  /** Resampler output (grow-only). */
  private resampledBuf: Float32Array = new Float32Array(0);

  constructor(cfg: InputConfig) {
    this.cfg = cfg;
    this.id = cfg.id;
    this.userGain = cfg.gain;
    this.gain = new GainRamp(cfg.gain);
    this.frame = new Float32Array(cfg.frameSize * cfg.mixChannels);
    this.ring = AudioRing.create({
      sampleRate: cfg.mixRate,
      channels: cfg.mixChannels,
      frames: cfg.maxFrames,
      Type: Float32Array,
    });
    this.resampler =
      cfg.inputRate === cfg.mixRate
        ? null
        : new Resampler({ inputRate: cfg.inputRate, outputRate: cfg.mixRate, channels: cfg.inputChannels });
    this.resamplerDelayFrames = this.resampler ? this.resampler.delaySamples : 0;
  }

  /** Accepts a frame of interleaved Int16 input audio at the input's rate and channels. */
  push(frame: AudioFrame): void {
    if (this.cfg.source) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${this.id}' is fed by its source ring; pushAudio is not allowed`,
      );
    }
    const data = typeof frame === 'object' && frame !== null ? frame.data : undefined;
    if (!(data instanceof Int16Array)) {
      throw new MixerError(
        'BAD_AUDIO',
        `pushAudio('${this.id}') expects an AudioFrame with Int16Array data, got ${describe(data ?? frame)}`,
      );
    }
    const { inputRate, inputChannels: inCh } = this.cfg;
    if (frame.sampleRate !== inputRate || frame.channels !== inCh) {
      throw new MixerError(
        'BAD_AUDIO',
        `pushAudio('${this.id}'): a ${String(frame.sampleRate)} Hz × ${String(frame.channels)} frame on an input added for ${inputRate} Hz × ${inCh}`,
      );
    }
    if (data.length % inCh !== 0) {
      throw new MixerError(
        'BAD_AUDIO',
        `pushAudio('${this.id}'): ${data.length} samples is not a whole number of ${inCh}-channel frames`,
      );
    }
    this.accept(data, data.length);
  }

  /**
   * Moves whatever the source ring holds into the jitter buffer (no-op without a source). Asks only for what
   * is available, so the source ring's underrun counter stays meaningful.
   */
  drainSource(): void {
    const source = this.cfg.source;
    if (!source) return;
    const ch = source.channels;
    for (;;) {
      const frames = Math.min(source.framesAvailable(), SOURCE_CHUNK_FRAMES);
      if (frames === 0) return;
      const n = SOURCE_CHUNK_FRAMES * ch;
      const buf: Int16Array | Float32Array =
        this.sourceBuf ?? (source.ring.Type === Int16Array ? new Int16Array(n) : new Float32Array(n));
      this.sourceBuf = buf;
      // Same element type as the ring (checked in addStream); the cast only joins the two ring types.
      const got = (source as AudioRing<Float32Array>).popFrames(buf as Float32Array, 0, frames);
      this.accept(buf, got * ch);
    }
  }

  /** Converts, resamples and queues the first `length` samples of `chunk` (validated by the caller). */
  private accept(chunk: Int16Array | Float32Array, length: number): void {
    if (length === 0) return;
    const inCh = this.cfg.inputChannels;
    if (this.ended) {
      this.ended = false;
      if (this.state === 'ended') this.state = 'idle';
    }
    const isInt = chunk instanceof Int16Array;
    let src: Float32Array = chunk as Float32Array;
    let frames = length / inCh;
    if (isInt || this.resampler || !allFinite(chunk as Float32Array, length)) {
      this.floatBuf = grow(this.floatBuf, length);
      toFloat(chunk, this.floatBuf, length);
      src = this.floatBuf;
    }
    if (this.resampler) {
      // The resampler needs an exact-length view (one small allocation per pushed chunk, not per frame).
      const out = this.resampler.outputLength(frames);
      this.resampledBuf = grow(this.resampledBuf, out * inCh);
      const view = this.resampler.process(src.subarray(0, length), this.resampledBuf.subarray(0, out * inCh));
      src = this.resampledBuf;
      frames = view.length / inCh;
    }
    this.enqueue(src, frames);
  }

  /** Ends the input: the resampler's tail is queued and playout drains the buffer without re-priming. */
  end(): void {
    if (this.resampler) {
      const tail = this.resampler.flush('float32');
      if (tail.length > 0) this.enqueue(tail, tail.length / this.cfg.inputChannels);
    }
    this.ended = true;
  }

  /**
   * Drops every queued frame and the resampler's history (barge-in: what has not been heard is never heard).
   * The input primes to its target depth again before it next plays.
   * @returns frames dropped
   */
  clear(): number {
    const dropped = this.ring.clear();
    this.resampler?.reset();
    this.clearedFrames += dropped;
    this.lastBufferedFrames = 0;
    if (this.state === 'playing' || this.state === 'priming') this.state = 'idle';
    return dropped;
  }

  /**
   * Fills `out` (one frame, mix channels) with this input's next frame, before gain.
   * @returns false when the input contributes nothing to this frame (silent; `out` untouched)
   */
  pull(out: Float32Array): boolean {
    const ring = this.ring;
    const size = this.cfg.frameSize;
    const avail = ring.framesAvailable();
    this.lastBufferedFrames = avail;
    if (this.state !== 'playing') {
      const ready = avail >= this.cfg.targetFrames || (this.ended && avail > 0);
      if (!ready) {
        if (this.state === 'priming') this.underruns++;
        return false;
      }
      this.state = 'playing';
    }
    if (avail >= size) {
      ring.popFrames(out, 0, size);
      return true;
    }
    // Ran dry: play what is left, pad with silence, refill to the target depth before playing again.
    if (this.ended) {
      this.state = 'ended';
    } else {
      this.underruns++;
      this.state = 'priming';
    }
    if (avail === 0) return false;
    const ch = this.cfg.mixChannels;
    ring.popFrames(out, 0, avail);
    out.fill(0, avail * ch, size * ch);
    return true;
  }

  /** Numbers for {@link AudioMixer.stats}. */
  stats(): InputStats {
    const msPerFrame = 1000 / this.cfg.mixRate;
    const buffered = this.ring.framesAvailable();
    return {
      id: this.id,
      state: this.state,
      bufferedMs: buffered * msPerFrame,
      addedLatencyMs: (buffered + this.resamplerDelayFrames) * msPerFrame,
      underruns: this.underruns,
      overruns: this.overruns,
      droppedMs: this.droppedFrames * msPerFrame,
      receivedMs: this.receivedFrames * msPerFrame,
      clearedMs: this.clearedFrames * msPerFrame,
      gain: this.userGain,
      muted: this.muted,
    };
  }

  /** Latency a frame pulled now carries: what was queued ahead of it plus the resampler delay, ms. */
  latencyMs(): number {
    return ((this.lastBufferedFrames + this.resamplerDelayFrames) * 1000) / this.cfg.mixRate;
  }

  /** Maps `frames` input-channel frames of `src` to mix channels and queues them, dropping the oldest on overrun. */
  private enqueue(src: Float32Array, frames: number): void {
    const { inputChannels: inCh, mixChannels: outCh, maxFrames } = this.cfg;
    let first = 0;
    let n = frames;
    const room = maxFrames - this.ring.framesAvailable();
    if (n > room) {
      this.overruns++;
      const excess = n - room;
      // Drop the oldest queued audio first, then, if the chunk alone is too long, its own beginning.
      const fromQueue = Math.min(excess, this.ring.framesAvailable());
      this.ring.skipFrames(fromQueue);
      first = excess - fromQueue;
      n -= first;
      this.droppedFrames += excess;
    }
    this.receivedFrames += frames;
    let staged: Float32Array;
    if (inCh === outCh) {
      staged = src;
    } else {
      this.stageBuf = grow(this.stageBuf, frames * outCh);
      mapChannels(src, inCh, this.stageBuf, outCh, frames);
      staged = this.stageBuf;
    }
    this.ring.pushFrames(staged, first, n);
  }
}

function grow(buf: Float32Array, n: number): Float32Array {
  return buf.length >= n ? buf : new Float32Array(Math.max(n, buf.length * 2));
}

/** Int16 → [-1, 1) floats, or a Float32 copy with NaN → 0 and ±Infinity → ±1 (documented clamp). */
function toFloat(src: Int16Array | Float32Array, dst: Float32Array, length: number): void {
  if (src instanceof Int16Array) {
    for (let i = 0; i < length; i++) dst[i] = src[i] / 32768;
  } else {
    for (let i = 0; i < length; i++) {
      const v = src[i];
      dst[i] = v - v === 0 ? v : Number.isNaN(v) ? 0 : v > 0 ? 1 : -1;
    }
  }
}

function allFinite(a: Float32Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[i] - a[i] !== 0) return false;
  return true;
}

/** Mono → every channel, many → mono by averaging, equal counts never reach here. */
function mapChannels(
  src: Float32Array,
  inCh: number,
  dst: Float32Array,
  outCh: number,
  frames: number,
): void {
  if (inCh === 1) {
    for (let f = 0, o = 0; f < frames; f++) {
      const v = src[f];
      for (let c = 0; c < outCh; c++) dst[o++] = v;
    }
  } else {
    const scale = 1 / inCh;
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < inCh; c++) sum += src[i++];
      dst[f] = sum * scale;
    }
  }
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
