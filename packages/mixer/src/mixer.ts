import { EventEmitter } from 'node:events';
import { type AudioFrame, floatToInt16 } from '@voxwire/codecs';
import { emitError, LatencyWindow } from '@voxwire/core';
import type { AudioRing } from '@voxwire/ringbuffer';
import { MixerError } from './errors.js';
import { FrameClock, type FrameClockStats } from './frame-clock.js';
import { describe, type InputStats, InputStream } from './input-stream.js';
import { SoftLimiter } from './limiter.js';

/** Options of {@link AudioMixer}. */
export interface AudioMixerOptions {
  /** Mix (and output) sample rate, Hz. */
  sampleRate: number;
  /** Interleaved output channels (default 1). */
  channels?: number;
  /** Frame period, ms (default 20); `sampleRate · frameMs / 1000` must be a whole number of samples. */
  frameMs?: number;
  /** Limiter ceiling, linear in (0, 1] (default 0.891 = −1 dBFS). */
  limiterThreshold?: number;
  /** Limiter release time, ms (default 50). */
  limiterReleaseMs?: number;
  /** Clock: frames a tick may emit while catching up after a stall (default 2). */
  maxFramesPerTick?: number;
  /** Clock: a backlog beyond this is skipped, not caught up, ms (default 1000). */
  maxLagMs?: number;
  /** Clock: monotonic time source in ms (default `performance.now`); for tests or a device clock. */
  now?: () => number;
}

/** Options of {@link AudioMixer.addStream}. */
export interface StreamOptions {
  /** Initial linear gain (default 1). */
  gain?: number;
  /** Rate of the audio this input will push (default: the mix rate); resampled on the way in. */
  sampleRate?: number;
  /** Interleaved channels of the pushed audio (default: the mix channels); 1 → all, N → 1 averaged. */
  channels?: number;
  /** Jitter-buffer target depth: playout starts (and restarts after running dry) at this depth, ms (default 2 frames). */
  jitterMs?: number;
  /** Most audio the buffer holds; pushing beyond it drops the oldest audio (an overrun), ms (default 500). */
  maxBufferMs?: number;
  /**
   * Feed this input from a shared ring instead of `pushAudio`: another thread or the native capture callback
   * fills it, the mixer drains it before every frame. Rate and channels come from the ring's header.
   */
  source?: AudioRing<Int16Array> | AudioRing<Float32Array>;
}

/** Options of {@link AudioMixer.registerOutput}. */
export interface OutputOptions {
  /** Inputs left out of this output's mix ("mix-minus": a call leg must not hear itself). */
  exclude?: readonly string[];
}

/**
 * Receives each mixed frame at the mix rate and channels. The frame is *borrowed*: the object and its
 * `data` are reused for the next frame, so copy `frame.data.slice()` to keep it. `frame.position` is the
 * frame's first sample since the mix started (frames mixed × frame size).
 */
export type OutputCallback = (frame: AudioFrame) => void;

/**
 * Latency the mixer adds, over the last 500 frames, in ms; `undefined` while no input has played (the
 * {@link LatencyWindow} convention for an empty window).
 */
export interface LatencyStats {
  /** Mean over the window. */
  avgMs: number | undefined;
  /** 95th percentile over the window (nearest rank). */
  p95Ms: number | undefined;
  /** Largest value in the window. */
  maxMs: number | undefined;
  /** How many frames the window holds. */
  count: number;
}

/** Mixer-wide numbers of {@link AudioMixer.stats}. */
export interface MixerStats {
  /** Frames mixed (by the clock or by mixFrame). */
  frames: number;
  inputs: InputStats[];
  /** Sums over inputs. */
  totals: { underruns: number; overruns: number; droppedMs: number };
  /** Samples the limiter turned down. */
  limitedSamples: number;
  /** Output callbacks that threw. */
  outputErrors: number;
  /** The clock's counters (zero until `start()`). */
  clock: FrameClockStats;
}

/** An {@link AudioFrame} the mixer lends to outputs and refills every frame. */
interface LentFrame {
  data: Int16Array;
  sampleRate: number;
  channels: number;
  position: number;
}

interface Output {
  cb: OutputCallback;
  exclude: Set<string> | null;
  /** Own float mix (mix-minus outputs) and converted frame. */
  mix: Float32Array | null;
  limiter: SoftLimiter | null;
  frame: LentFrame;
}

/** Events of an {@link AudioMixer}. */
export interface AudioMixerEvents {
  /** An output callback threw (`OUTPUT_FAILED`); the clock and the other outputs keep going. */
  error: [error: MixerError];
}

const MAX_RATE = 768_000;

/**
 * N input streams → one clocked output: per-input jitter buffers on @voxwire/ringbuffer rings, resampling
 * with @voxwire/codecs, gain ramps, mute, a soft limiter, mix-minus outputs, and stats.
 *
 * Every frame in and out is an {@link AudioFrame} (Int16 PCM); mixing is Float32 inside, with Float64 sums.
 *
 * Emits `error` (a {@link MixerError} with code `OUTPUT_FAILED`) when an output callback throws; the clock
 * keeps running. Failures are counted in `stats().outputErrors`; without an `error` listener each one
 * becomes a process warning (`emitError` from @voxwire/core).
 */
export class AudioMixer extends EventEmitter<AudioMixerEvents> implements AsyncDisposable {
  readonly sampleRate: number;
  readonly channels: number;
  readonly frameMs: number;
  /** Samples per channel in one frame. */
  readonly frameSize: number;

  private readonly streams = new Map<string, InputStream>();
  /** Same inputs as `streams`, as an array for the hot path (no iterator allocation). */
  private streamList: InputStream[] = [];
  private outputs: Output[] = [];
  private readonly mainMix: Float32Array;
  /** The full sum in Float64, so mix-minus outputs can subtract their excluded inputs without rounding drift. */
  private readonly sum64: Float64Array;
  private readonly scratch64: Float64Array;
  private readonly mainFrame: LentFrame;
  private readonly mainLimiter: SoftLimiter;
  private contributing: InputStream[] = [];
  private contributingCount = 0;
  private readonly clock: FrameClock;
  private readonly latency = new LatencyWindow(500);
  private closed = false;
  private readonly limiterThreshold: number;
  private readonly limiterReleaseSamples: number;
  private frames = 0;
  private outputErrors = 0;

  constructor(options: AudioMixerOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new MixerError('BAD_OPTIONS', 'AudioMixer options missing');
    }
    const { sampleRate } = options;
    const channels = options.channels ?? 1;
    const frameMs = options.frameMs ?? 20;
    if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > MAX_RATE) {
      throw new MixerError(
        'BAD_OPTIONS',
        `sampleRate must be an integer in 1..${MAX_RATE} Hz, got ${String(sampleRate)}`,
      );
    }
    if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
      throw new MixerError('BAD_OPTIONS', `channels must be an integer in 1..32, got ${String(channels)}`);
    }
    const frameSize = (sampleRate * frameMs) / 1000;
    if (typeof frameMs !== 'number' || !(frameMs > 0) || !Number.isInteger(frameSize)) {
      throw new MixerError(
        'BAD_OPTIONS',
        `frameMs must be > 0 and give a whole number of samples at ${sampleRate} Hz, got ${String(frameMs)}`,
      );
    }
    const format = (options as { format?: unknown }).format;
    if (format !== undefined && format !== 'int16') {
      // 0.1 had a Float32 output; frames are AudioFrame (Int16) now, so an old option must not pass silently.
      throw new MixerError(
        'BAD_OPTIONS',
        `frames are Int16 AudioFrames; format ${String(format)} is not supported`,
      );
    }
    const threshold = options.limiterThreshold ?? 0.891;
    if (!(threshold > 0 && threshold <= 1)) {
      throw new MixerError('BAD_OPTIONS', `limiterThreshold must be in (0, 1], got ${String(threshold)}`);
    }
    const releaseMs = options.limiterReleaseMs ?? 50;
    if (!(releaseMs >= 0 && Number.isFinite(releaseMs))) {
      throw new MixerError(
        'BAD_OPTIONS',
        `limiterReleaseMs must be a finite number ≥ 0, got ${String(releaseMs)}`,
      );
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.frameMs = frameMs;
    this.frameSize = frameSize;
    this.limiterThreshold = threshold;
    this.limiterReleaseSamples = (releaseMs * sampleRate) / 1000;
    this.mainMix = new Float32Array(frameSize * channels);
    this.sum64 = new Float64Array(frameSize * channels);
    this.scratch64 = new Float64Array(frameSize * channels);
    this.mainFrame = this.newFrame();
    this.mainLimiter = this.newLimiter();
    this.clock = new FrameClock(frameMs, (lateMs) => this.produce(lateMs), {
      now: options.now,
      maxFramesPerTick: options.maxFramesPerTick,
      maxLagMs: options.maxLagMs,
    });
  }

  /**
   * Adds an input.
   * @throws MixerError `DUPLICATE_STREAM`, `BAD_OPTIONS` (rates, channels, buffer sizes), `BAD_GAIN`
   */
  addStream(id: string, options: StreamOptions = {}): void {
    this.assertOpen();
    if (typeof id !== 'string' || id.length === 0) {
      throw new MixerError('BAD_OPTIONS', `stream id must be a non-empty string, got ${describe(id)}`);
    }
    if (this.streams.has(id)) throw new MixerError('DUPLICATE_STREAM', `stream '${id}' already exists`);
    const gain = options.gain ?? 1;
    checkGain(id, gain);
    const source = options.source;
    if (source !== undefined) {
      const ok = typeof source === 'object' && source !== null && 'popFrames' in source && 'ring' in source;
      const type = ok ? source.ring.Type : undefined;
      if (!ok || (type !== Int16Array && type !== Float32Array)) {
        throw new MixerError('BAD_OPTIONS', `stream '${id}': source must be an Int16 or Float32 AudioRing`);
      }
      if (
        (options.sampleRate !== undefined && options.sampleRate !== source.sampleRate) ||
        (options.channels !== undefined && options.channels !== source.channels)
      ) {
        throw new MixerError(
          'BAD_OPTIONS',
          `stream '${id}': the source ring carries ${source.sampleRate} Hz × ${source.channels}; sampleRate/channels options disagree`,
        );
      }
    }
    const inputRate = options.sampleRate ?? source?.sampleRate ?? this.sampleRate;
    if (!Number.isInteger(inputRate) || inputRate < 1 || inputRate > MAX_RATE) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${id}': sampleRate must be an integer in 1..${MAX_RATE}, got ${String(inputRate)}`,
      );
    }
    const inputChannels = options.channels ?? source?.channels ?? this.channels;
    if (!Number.isInteger(inputChannels) || inputChannels < 1 || inputChannels > 32) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${id}': channels must be an integer in 1..32, got ${String(inputChannels)}`,
      );
    }
    if (inputChannels !== this.channels && inputChannels !== 1 && this.channels !== 1) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${id}': cannot map ${inputChannels} channels to ${this.channels} (use 1, ${this.channels}, or a mono mix)`,
      );
    }
    const jitterMs = options.jitterMs ?? 2 * this.frameMs;
    const maxBufferMs = options.maxBufferMs ?? 500;
    if (!(jitterMs >= 0 && Number.isFinite(jitterMs))) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${id}': jitterMs must be a finite number ≥ 0, got ${String(jitterMs)}`,
      );
    }
    if (!(maxBufferMs > 0 && Number.isFinite(maxBufferMs))) {
      throw new MixerError(
        'BAD_OPTIONS',
        `stream '${id}': maxBufferMs must be a finite number > 0, got ${String(maxBufferMs)}`,
      );
    }
    const targetFrames = Math.max(this.frameSize, Math.round((jitterMs * this.sampleRate) / 1000));
    const maxFrames = Math.max(
      targetFrames + this.frameSize,
      Math.round((maxBufferMs * this.sampleRate) / 1000),
    );
    const stream = new InputStream({
      id,
      mixRate: this.sampleRate,
      mixChannels: this.channels,
      frameSize: this.frameSize,
      inputRate,
      inputChannels,
      gain,
      targetFrames,
      maxFrames,
      source,
    });
    this.streams.set(id, stream);
    this.streamList = [...this.streams.values()];
    this.contributing = new Array<InputStream>(this.streamList.length);
  }

  /** Removes an input; its queued audio is discarded. @throws MixerError `UNKNOWN_STREAM` */
  removeStream(id: string): void {
    this.stream(id); // throws UNKNOWN_STREAM
    this.streams.delete(id);
    this.streamList = [...this.streams.values()];
  }

  /** Whether an input with this id exists. */
  hasStream(id: string): boolean {
    return this.streams.has(id);
  }

  /**
   * Sets an input's gain, ramping linearly over `rampMs` (default 20 ms) so the change does not click.
   * While muted, the new gain applies on unmute.
   * @throws MixerError `UNKNOWN_STREAM`, `BAD_GAIN` for NaN, infinite or negative gain or ramp
   */
  setGain(id: string, gain: number, rampMs = 20): void {
    const stream = this.stream(id);
    checkGain(id, gain);
    const frames = this.rampFrames(id, rampMs);
    stream.userGain = gain;
    if (!stream.muted) stream.gain.rampTo(gain, frames);
  }

  /** Mutes an input with a short ramp (default 5 ms); its audio keeps being consumed. */
  mute(id: string, rampMs = 5): void {
    const stream = this.stream(id);
    const frames = this.rampFrames(id, rampMs);
    stream.muted = true;
    stream.gain.rampTo(0, frames);
  }

  /** Unmutes an input, ramping back to its gain (default 5 ms). */
  unmute(id: string, rampMs = 5): void {
    const stream = this.stream(id);
    const frames = this.rampFrames(id, rampMs);
    stream.muted = false;
    stream.gain.rampTo(stream.userGain, frames);
  }

  /**
   * Queues audio for an input: a frame of any length, at the rate and channels the input was added with
   * (`frame.position` is not used: frames play in the order they are pushed). The mixer copies what it
   * keeps, so the caller may reuse `frame.data` at once.
   * @throws MixerError `UNKNOWN_STREAM`, `BAD_AUDIO` (not an Int16 frame, a rate or channel count other than
   *   the input's, partial sample frames)
   */
  pushAudio(id: string, frame: AudioFrame): void {
    this.stream(id).push(frame);
  }

  /**
   * Drops an input's queued audio at once (barge-in on a playing answer), keeping the input, its gain and
   * its outputs. Counted in `stats().inputs[i].clearedMs`.
   * @returns milliseconds of audio dropped
   * @throws MixerError `UNKNOWN_STREAM`
   */
  clearStream(id: string): number {
    return (this.stream(id).clear() * 1000) / this.sampleRate;
  }

  /** Marks the end of an input's audio: the resampler tail is queued and the buffer plays out without waiting. */
  endStream(id: string): void {
    this.stream(id).end();
  }

  /**
   * Registers a consumer of mixed frames, optionally leaving some inputs out (mix-minus).
   * @returns a function that unregisters it
   */
  registerOutput(cb: OutputCallback, options: OutputOptions = {}): () => void {
    if (typeof cb !== 'function') {
      throw new MixerError('BAD_OPTIONS', `registerOutput expects a function, got ${describe(cb)}`);
    }
    const exclude = options.exclude ?? [];
    if (!Array.isArray(exclude) || exclude.some((e) => typeof e !== 'string')) {
      throw new MixerError('BAD_OPTIONS', 'registerOutput exclude must be an array of stream ids');
    }
    const own = exclude.length > 0;
    const output: Output = {
      cb,
      exclude: own ? new Set(exclude) : null,
      mix: own ? new Float32Array(this.frameSize * this.channels) : null,
      limiter: own ? this.newLimiter() : null,
      frame: own ? this.newFrame() : this.mainFrame,
    };
    this.outputs = [...this.outputs, output];
    return () => {
      this.outputs = this.outputs.filter((o) => o !== output);
    };
  }

  /**
   * Starts the drift-free clock: one frame every `frameMs` to every output.
   * @throws MixerError `CLOSED` after {@link close}
   */
  start(): void {
    this.assertOpen();
    this.clock.start();
  }

  /** Pauses the clock; queued audio stays queued and `start()` resumes. (To release the mixer: `close()`.) */
  stop(): void {
    this.clock.stop();
  }

  /**
   * Releases the mixer: stops the clock, drops every input and output. Idempotent; afterwards `start()`
   * and `addStream()` throw `CLOSED`.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clock.stop();
    this.outputs = [];
    this.streams.clear();
    this.streamList = [];
  }

  /** `await using mixer = new AudioMixer(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Whether the clock is running. */
  get running(): boolean {
    return this.clock.running;
  }

  /**
   * Mixes one frame now and delivers it to the outputs, for callers that drive the clock themselves (a device
   * callback, tests). Do not mix this with `start()`.
   * @returns the full mix (no inputs excluded), *borrowed*: the frame is refilled by the next mix
   */
  mixFrame(): AudioFrame {
    return this.produce(0);
  }

  /** Per-input and total counters. */
  stats(): MixerStats {
    const inputs = this.streamList.map((s) => s.stats());
    const totals = { underruns: 0, overruns: 0, droppedMs: 0 };
    for (const s of inputs) {
      totals.underruns += s.underruns;
      totals.overruns += s.overruns;
      totals.droppedMs += s.droppedMs;
    }
    return {
      frames: this.frames,
      inputs,
      totals,
      limitedSamples: this.mainLimiter.limitedSamples,
      outputErrors: this.outputErrors,
      clock: this.clock.stats(),
    };
  }

  /**
   * The OpenClaw latency monitor: average and p95 over the last 500 frames of the latency the mixer adds to
   * a frame (the deepest contributing input's queued audio and resampler delay, plus how late the clock ran).
   */
  latencyStats(): LatencyStats {
    const w = this.latency;
    const [p95Ms, maxMs] = w.percentiles([0.95, 1]);
    return { avgMs: w.mean(), p95Ms, maxMs, count: w.size };
  }

  private produce(lateMs: number): AudioFrame {
    const size = this.frameSize * this.channels;
    const ch = this.channels;
    const list = this.streamList;
    const contributing = this.contributing;
    let count = 0;
    let latencyMs = -1;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      s.drainSource();
      const buf = s.frame;
      if (!s.pull(buf)) {
        // Keep the gain ramp moving in time even through silence.
        if (!s.gain.isSilent && !s.gain.isUnity) s.gain.apply(buf.fill(0), this.frameSize, ch);
        continue;
      }
      const l = s.latencyMs();
      if (l > latencyMs) latencyMs = l;
      if (s.gain.isSilent) continue;
      s.gain.apply(buf, this.frameSize, ch);
      contributing[count++] = s;
    }
    this.contributingCount = count;
    if (latencyMs >= 0) this.latency.add(latencyMs + lateMs);

    const mix = this.mainMix;
    this.sumAll();
    mix.set(this.sum64);
    this.mainLimiter.process(mix, size, ch);
    const position = this.frames++ * this.frameSize;
    this.mainFrame.position = position;
    floatToInt16(mix, this.mainFrame.data);

    const outputs = this.outputs;
    for (let o = 0; o < outputs.length; o++) {
      const out = outputs[o];
      if (out.mix && out.limiter && out.exclude) {
        this.sumMinus(out.mix, out.exclude);
        out.limiter.process(out.mix, size, ch);
        out.frame.position = position;
        floatToInt16(out.mix, out.frame.data);
      }
      try {
        out.cb(out.frame);
      } catch (e) {
        this.outputErrors++;
        const message = e instanceof Error ? e.message : String(e);
        try {
          emitError(this, new MixerError('OUTPUT_FAILED', `output callback threw: ${message}`, { cause: e }));
        } catch (listenerError) {
          // An `error` listener that throws must not stop the clock either.
          process.emitWarning(listenerError instanceof Error ? listenerError : String(listenerError));
        }
      }
    }
    return this.mainFrame;
  }

  /** Sums the gained frames of all contributing inputs into `sum64`. */
  private sumAll(): void {
    const sum = this.sum64;
    sum.fill(0);
    const n = sum.length;
    for (let k = 0; k < this.contributingCount; k++) {
      const buf = this.contributing[k].frame;
      for (let i = 0; i < n; i++) sum[i] += buf[i];
    }
  }

  /**
   * The full sum minus the excluded inputs, into `dst`: O(excluded) per output instead of O(inputs), so a
   * conference with one mix-minus output per leg stays linear. Float64 keeps it equal to summing the others.
   */
  private sumMinus(dst: Float32Array, exclude: Set<string>): void {
    const acc = this.scratch64;
    acc.set(this.sum64);
    const n = acc.length;
    for (let k = 0; k < this.contributingCount; k++) {
      const s = this.contributing[k];
      if (!exclude.has(s.id)) continue;
      const buf = s.frame;
      for (let i = 0; i < n; i++) acc[i] -= buf[i];
    }
    dst.set(acc);
  }

  private newFrame(): LentFrame {
    const data = new Int16Array(this.frameSize * this.channels);
    return { data, sampleRate: this.sampleRate, channels: this.channels, position: 0 };
  }

  private assertOpen(): void {
    if (this.closed) throw new MixerError('CLOSED', 'the mixer is closed');
  }

  private newLimiter(): SoftLimiter {
    return new SoftLimiter(this.limiterThreshold, this.limiterReleaseSamples);
  }

  private stream(id: string): InputStream {
    const s = this.streams.get(id);
    if (!s) {
      throw new MixerError(
        'UNKNOWN_STREAM',
        `no stream '${String(id)}' (known: ${[...this.streams.keys()].join(', ') || 'none'})`,
      );
    }
    return s;
  }

  private rampFrames(id: string, rampMs: number): number {
    if (typeof rampMs !== 'number' || !Number.isFinite(rampMs) || rampMs < 0) {
      throw new MixerError(
        'BAD_GAIN',
        `stream '${id}': rampMs must be a finite number ≥ 0, got ${String(rampMs)}`,
      );
    }
    return Math.round((rampMs * this.sampleRate) / 1000);
  }
}

function checkGain(id: string, gain: unknown): void {
  if (typeof gain !== 'number' || !Number.isFinite(gain) || gain < 0) {
    throw new MixerError('BAD_GAIN', `stream '${id}': gain must be a finite number ≥ 0, got ${String(gain)}`);
  }
}
