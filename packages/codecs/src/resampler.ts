import { AudioFormatError } from './errors.js';
import { designPolyphase, type FilterSpec, gcd, type PolyphaseBank, tapsPerPhase } from './filter-design.js';
import { firKernel } from './fir-kernel.js';

/** Quality presets of {@link Resampler}. */
export type ResamplerQuality = 'low' | 'medium' | 'high';

/** Options for {@link Resampler}. */
export interface ResamplerOptions {
  /** Input sample rate in Hz: a positive integer up to 768000. */
  inputRate: number;
  /** Output sample rate in Hz: a positive integer up to 768000. */
  outputRate: number;
  /** Interleaved channels (default 1). */
  channels?: number;
  /**
   * Filter preset (default `'medium'`):
   * - `'low'`: passband to 80 % of the lower Nyquist frequency, ≥ 60 dB rejection (shortest filter);
   * - `'medium'`: passband flat within 0.1 dB to 90 %, ≥ 100 dB alias/image rejection from 100 %;
   * - `'high'`: passband to 92 %, ≥ 120 dB rejection.
   */
  quality?: ResamplerQuality;
}

/** The filter specification behind each quality preset (fractions of the lower Nyquist frequency). */
export const RESAMPLER_QUALITY: Readonly<Record<ResamplerQuality, Readonly<FilterSpec>>> = {
  low: { passband: 0.8, stopband: 1, attenuationDb: 62 },
  medium: { passband: 0.9, stopband: 1, attenuationDb: 104 },
  high: { passband: 0.92, stopband: 1, attenuationDb: 124 },
};

const MAX_RATE = 768000;
const MAX_TABLE = 1 << 21; // coefficients; refuses rate pairs like 44100 → 44101 whose L is huge
const banks = new Map<string, PolyphaseBank>();

function bankFor(inputRate: number, outputRate: number, quality: ResamplerQuality): PolyphaseBank {
  const key = `${inputRate}:${outputRate}:${quality}`;
  let bank = banks.get(key);
  if (!bank) {
    const spec = RESAMPLER_QUALITY[quality];
    const L = outputRate / gcd(inputRate, outputRate);
    const size = L * tapsPerPhase(inputRate, outputRate, spec);
    if (size > MAX_TABLE) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `resampling ${inputRate} → ${outputRate} Hz needs ${L} filter phases (${size} coefficients); ` +
          'use rates with a larger common divisor',
      );
    }
    bank = designPolyphase(inputRate, outputRate, spec);
    banks.set(key, bank);
  }
  return bank;
}

function checkRate(name: string, rate: unknown): number {
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `${name} must be an integer number of Hz in 1..${MAX_RATE}, got ${String(rate)}`,
    );
  }
  return rate;
}

/**
 * Streaming polyphase resampler: a Kaiser-windowed sinc FIR split into precomputed phase tables, run by a
 * WebAssembly SIMD kernel (Float32, four vector accumulators) or, where SIMD is unavailable, a JS loop.
 *
 * - Output is time-aligned with the input (the filter delay is compensated) and has exactly
 *   `ceil(totalInput · outputRate / inputRate)` samples per channel once {@link Resampler.flush} is called.
 * - Output is identical sample for sample however the input is cut into chunks (empty chunks included).
 * - `process()` returns a **fresh array** the caller owns, of the same type as the input, unless an `out`
 *   buffer is passed; then it returns a view of `out` (for hot paths; size it with `outputLength`).
 * - Int16 output is rounded and clipped. Float input: NaN is treated as 0 and ±Infinity as ±1 (documented
 *   clamp), so one bad sample cannot poison the filter state; finite values pass unclipped.
 *
 * @example
 * ```ts
 * const r = new Resampler({ inputRate: 48000, outputRate: 16000 });
 * const out16k = r.process(pcm48k); // Int16Array in → Int16Array out
 * const tail = r.flush();
 * ```
 */
export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly channels: number;
  readonly quality: ResamplerQuality;
  /**
   * Latency in output samples (per channel): how far the output lags the input while streaming, i.e. what
   * `flush()` still owes once all input has arrived. May be fractional. 0 when the rates are equal.
   */
  readonly delaySamples: number;

  private readonly bank: PolyphaseBank | null;
  // Per-channel history of input samples (scaled to ±1), grow-only; x[bufStart + i] lives at history[c][i].
  private history: Float32Array[];
  private bufLen = 0;
  // Next output, relative to the history: t = (its time in 1/L input samples) + half-filter, as kmax and phase.
  private kmax = 0;
  private phase = 0;
  private inputTotal = 0;
  private outputTotal = 0;
  // Float outputs of one channel before conversion/interleaving, grow-only.
  private scratch = new Float32Array(0);

  constructor(options: ResamplerOptions) {
    if (options === null || typeof options !== 'object')
      throw new AudioFormatError('INVALID_FORMAT', 'Resampler options missing');
    this.inputRate = checkRate('inputRate', options.inputRate);
    this.outputRate = checkRate('outputRate', options.outputRate);
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `channels must be an integer in 1..64, got ${String(channels)}`,
      );
    }
    this.channels = channels;
    const quality = options.quality ?? 'medium';
    if (!(quality in RESAMPLER_QUALITY)) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `quality must be 'low', 'medium' or 'high', got ${String(quality)}`,
      );
    }
    this.quality = quality;
    this.bank = this.inputRate === this.outputRate ? null : bankFor(this.inputRate, this.outputRate, quality);
    this.delaySamples = this.bank ? ((this.bank.K / 2) * this.bank.L) / this.bank.M : 0;
    this.history = Array.from({ length: channels }, () => new Float32Array(0));
    this.reset();
  }

  /** Discards all state; the next `process()` starts a new stream. */
  reset(): void {
    this.inputTotal = 0;
    this.outputTotal = 0;
    if (!this.bank) return;
    const { K, L } = this.bank;
    // Start with K-1 zeros of pre-history so the first outputs see silence before the stream.
    this.bufLen = K - 1;
    this.ensureCapacity(K - 1 + 4096);
    for (const h of this.history) h.fill(0, 0, K - 1);
    // Output 0 sits at input time 0 = history index K-1; add half the filter (K/2 input samples).
    const t = (K - 1) * L + (K * L) / 2;
    this.kmax = Math.floor(t / L);
    this.phase = t - this.kmax * L;
  }

  /**
   * Number of samples per channel the next `process()` of `inputLength` samples (per channel) will return.
   */
  outputLength(inputLength: number): number {
    if (!this.bank) return inputLength;
    const { L, M } = this.bank;
    const avail = this.bufLen + inputLength;
    // Outputs while kmax < avail: kmax·L + phase advances by M per output.
    const t = this.kmax * L + this.phase;
    const limit = avail * L;
    return t >= limit ? 0 : Math.ceil((limit - t) / M);
  }

  /**
   * An upper bound on the samples per channel any `process()` of `inputLength` samples per channel returns,
   * whatever the state: `ceil(inputLength · outputRate / inputRate)`. Size a reusable `out` buffer with it.
   */
  maxOutputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.outputRate) / this.inputRate);
  }

  /**
   * Resamples one chunk of interleaved samples.
   * @param chunk - Int16 PCM or Float32 samples, interleaved, a whole number of sample frames
   * @param out - optional buffer of the same type with room for `outputLength(frames) * channels` values
   *   (`maxOutputLength(frames) * channels` always suffices); when given, the result is a view of it
   *   (valid until you reuse `out`)
   * @returns the resampled samples, same type as `chunk`: a fresh array, or a view of `out`
   * @throws AudioFormatError for other array types, a partial sample frame, or a too-small `out`
   */
  process<T extends Int16Array | Float32Array>(chunk: T, out?: T): T {
    const isInt = chunk instanceof Int16Array;
    if (!isInt && !(chunk instanceof Float32Array)) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Resampler.process expects Int16Array or Float32Array, got ${describe(chunk)}`,
      );
    }
    const ch = this.channels;
    if (chunk.length % ch !== 0) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `chunk of ${chunk.length} values is not a whole number of ${ch}-channel frames`,
      );
    }
    const frames = chunk.length / ch;
    this.inputTotal += frames;
    if (!this.bank) return this.passThrough(chunk, out);
    const count = this.outputLength(frames);
    const dst = this.target(chunk, out, count);
    this.append(chunk, isInt, frames);
    this.run(dst, isInt, count);
    this.compact();
    return dst;
  }

  /**
   * Ends the stream: returns the remaining output (the filter tail, computed against trailing silence) so the
   * total output is `ceil(totalInput · outputRate / inputRate)` samples per channel, then resets.
   * @param kind - array type of the result: `'int16'` (default) or `'float32'`
   */
  flush(kind?: 'int16'): Int16Array;
  flush(kind: 'float32'): Float32Array;
  flush(kind: 'int16' | 'float32' = 'int16'): Int16Array | Float32Array {
    const isInt = kind === 'int16';
    const total = Math.ceil((this.inputTotal * this.outputRate) / this.inputRate);
    const count = Math.max(0, total - this.outputTotal);
    const dst = isInt ? new Int16Array(count * this.channels) : new Float32Array(count * this.channels);
    if (this.bank && count > 0) {
      const pad = this.bank.K + 2;
      this.ensureCapacity(this.bufLen + pad);
      for (const h of this.history) h.fill(0, this.bufLen, this.bufLen + pad);
      this.bufLen += pad;
      this.run(dst, isInt, count);
    }
    this.reset();
    return dst;
  }

  private passThrough<T extends Int16Array | Float32Array>(chunk: T, out?: T): T {
    const dst = this.target(chunk, out, chunk.length / this.channels);
    if (chunk instanceof Float32Array) {
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i];
        dst[i] = v - v === 0 ? v : Number.isNaN(v) ? 0 : v > 0 ? 1 : -1;
      }
    } else {
      dst.set(chunk);
    }
    this.outputTotal += chunk.length / this.channels;
    return dst;
  }

  private target<T extends Int16Array | Float32Array>(chunk: T, out: T | undefined, count: number): T {
    const need = count * this.channels;
    if (!out) return (chunk instanceof Int16Array ? new Int16Array(need) : new Float32Array(need)) as T;
    if (out.constructor !== chunk.constructor) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `out must be a ${chunk.constructor.name} like the input, got ${describe(out)}`,
      );
    }
    if (out.length < need)
      throw new AudioFormatError('BUFFER_TOO_SMALL', `out holds ${out.length} values, need ${need}`);
    return (out.length === need ? out : out.subarray(0, need)) as T;
  }

  private ensureCapacity(n: number): void {
    if (this.history[0].length >= n) return;
    const size = Math.max(n, this.history[0].length * 2);
    this.history = this.history.map((h) => {
      const grown = new Float32Array(size);
      grown.set(h.subarray(0, this.bufLen));
      return grown;
    });
  }

  /** De-interleaves and scales the chunk into the per-channel histories. */
  private append(chunk: Int16Array | Float32Array, isInt: boolean, frames: number): void {
    this.ensureCapacity(this.bufLen + frames);
    const ch = this.channels;
    const base = this.bufLen;
    for (let c = 0; c < ch; c++) {
      const h = this.history[c];
      if (isInt) {
        for (let i = 0, j = c; i < frames; i++, j += ch) h[base + i] = chunk[j] * (1 / 32768);
      } else {
        for (let i = 0, j = c; i < frames; i++, j += ch) {
          const v = chunk[j];
          // v - v is 0 for finite v and NaN for NaN/±Infinity.
          h[base + i] = v - v === 0 ? v : Number.isNaN(v) ? 0 : v > 0 ? 1 : -1;
        }
      }
    }
    this.bufLen += frames;
  }

  /** Computes `count` outputs per channel from the history into `dst` (interleaved). */
  private run(dst: Int16Array | Float32Array, isInt: boolean, count: number): void {
    const { L, M, K, coefficients } = this.bank!;
    const ch = this.channels;
    const stepK = Math.floor(M / L);
    const stepR = M - stepK * L;
    if (this.scratch.length < count)
      this.scratch = new Float32Array(Math.max(count, this.scratch.length * 2));
    const y = this.scratch;
    for (let c = 0; c < ch; c++) {
      firKernel.run(
        coefficients,
        K,
        L,
        stepK,
        stepR,
        this.history[c],
        this.bufLen,
        this.kmax,
        this.phase,
        count,
        y,
      );
      if (isInt) {
        for (let o = 0, d = c; o < count; o++, d += ch) {
          const v = y[o] * 32768;
          dst[d] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
        }
      } else if (ch === 1) {
        dst.set(y.subarray(0, count));
      } else {
        for (let o = 0, d = c; o < count; o++, d += ch) dst[d] = y[o];
      }
    }
    const t = this.kmax * L + this.phase + count * M;
    this.kmax = Math.floor(t / L);
    this.phase = t - this.kmax * L;
    this.outputTotal += count;
  }

  /** Drops history no future output needs (keeps K-1 samples before the next output's window). */
  private compact(): void {
    const K = this.bank!.K;
    const drop = this.kmax - K + 1;
    if (drop <= 0) return;
    // Only move memory when the dropped prefix is large, so compaction is amortised O(1) per sample.
    if (drop < 4096 && drop < this.bufLen - drop) return;
    for (const h of this.history) h.copyWithin(0, drop, this.bufLen);
    this.bufLen -= drop;
    this.kmax -= drop;
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
