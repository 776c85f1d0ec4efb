import { VadError } from './errors.js';
import { toDbfs } from './levels.js';
import { floorPow2, powerSpectrum } from './spectrum.js';

/** Format of the PCM given to {@link analyzeSignal}. */
export interface SignalFormat {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Interleaved channels. Default 1. Levels and clipping use all channels; SNR and THD their mean. */
  channels?: number;
}

/** Limits a quality check holds audio to (defaults as in the OpusAgent design's `QualityThresholds`). */
export interface QualityThresholds {
  /** Below this SNR estimate, in dB, an alert is raised. Default 20. */
  minSnrDb: number;
  /** Above this THD of a tone, in %, an alert is raised. Default 1. */
  maxThdPercent: number;
  /** Above this share of clipped samples, in %, an alert is raised. Default 0.1. */
  maxClippingPercent: number;
  /** Below this 0–100 score an alert is raised. Default 60. */
  minQualityScore: number;
}

/** The default {@link QualityThresholds}: SNR ≥ 20 dB, THD ≤ 1 %, clipping ≤ 0.1 %, score ≥ 60. */
export const DEFAULT_QUALITY_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  minSnrDb: 20,
  maxThdPercent: 1,
  maxClippingPercent: 0.1,
  minQualityScore: 60,
});

/** How {@link SignalMetrics.snrDb} was estimated. */
export type SnrMethod =
  /** Speech-like signal with pauses: active level over the level of the quietest 10 % of 20 ms frames. */
  | 'temporal'
  /** Steady tone: tone and harmonics power over the power of everything else in the spectrum. */
  | 'tonal'
  /** Neither applies (silence, or steady noise-like sound): `snrDb` is NaN. */
  | 'none';

/** Level, clipping, SNR, THD and a 0–100 score of a stretch of audio. Levels are on a full-scale-1.0 basis. */
export interface SignalMetrics {
  /** Samples per channel analysed. */
  frames: number;
  /** RMS level, full scale 1.0. */
  rms: number;
  /** Peak absolute sample, full scale 1.0. */
  peak: number;
  /** RMS level in dBFS (−120 for silence). */
  rmsDbfs: number;
  /** Peak level in dBFS. */
  peakDbfs: number;
  /** Share of samples at full scale, in %. */
  clippingPercent: number;
  /** Estimated signal-to-noise ratio in dB (NaN when it cannot be estimated, see `snrMethod`). */
  snrDb: number;
  /** How `snrDb` was estimated. */
  snrMethod: SnrMethod;
  /** Level of the background (quietest 10 % of 20 ms frames), in dBFS. */
  noiseFloorDbfs: number;
  /** Frequency of the dominant tone in Hz, NaN when the signal is not a steady tone. */
  toneHz: number;
  /** Total harmonic distortion (harmonics 2–10) of the dominant tone in %, NaN when there is no tone. */
  thdPercent: number;
  /** 0–100 score: 100 minus penalties for low SNR, THD and clipping (see {@link qualityScore}). */
  qualityScore: number;
}

const FRAME_MS = 20;
const CLIP_INT16 = 32767;
const CLIP_FLOAT = 32767 / 32768;
const LOBE_BINS = 4;
const MAX_FFT = 16384;

/**
 * Measures a stretch of PCM: level (RMS, peak, dBFS), clipping, an SNR estimate, THD when it is a tone,
 * and a 0–100 quality score. Use {@link QualityMonitor} for a stream.
 * @throws {VadError} `SAMPLE_RATE` for a missing or invalid rate, `INVALID_ARGUMENT` for bad channels or length.
 */
export function analyzeSignal(pcm: Int16Array | Float32Array, format: SignalFormat): SignalMetrics {
  if (!(pcm instanceof Int16Array) && !(pcm instanceof Float32Array)) {
    throw new VadError('INVALID_ARGUMENT', 'analyzeSignal expects Int16Array or Float32Array PCM');
  }
  const rate = format?.sampleRate;
  if (!Number.isFinite(rate) || rate < 1000 || rate > 384000) {
    throw new VadError(
      'SAMPLE_RATE',
      `analyzeSignal needs format.sampleRate in Hz (1000..384000), got ${rate}`,
    );
  }
  const channels = format.channels ?? 1;
  if (!Number.isInteger(channels) || channels < 1 || pcm.length % channels !== 0) {
    throw new VadError(
      'INVALID_ARGUMENT',
      `analyzeSignal: ${pcm.length} samples are not whole frames of ${channels} channels`,
    );
  }
  const scale = pcm instanceof Int16Array ? 1 / 32768 : 1;
  const clipAt = pcm instanceof Int16Array ? CLIP_INT16 : CLIP_FLOAT;

  let sum = 0;
  let peak = 0;
  let clipped = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i];
    const a = v < 0 ? -v : v;
    sum += v * v;
    if (a > peak) peak = a;
    if (a >= clipAt) clipped++;
  }
  const rms = pcm.length > 0 ? Math.sqrt(sum / pcm.length) * scale : 0;
  peak *= scale;

  const mono = monoMix(pcm, channels, scale);
  const temporal = temporalSnr(mono, Math.max(1, Math.round((rate * FRAME_MS) / 1000)));
  const tone = toneAnalysis(mono, rate);

  let snrDb = Number.NaN;
  let snrMethod: SnrMethod = 'none';
  if (rms > 1e-5) {
    if (temporal.applicable) {
      snrDb = temporal.snrDb;
      snrMethod = 'temporal';
    } else if (tone.isTone) {
      snrDb = tone.snrDb;
      snrMethod = 'tonal';
    }
  }

  const metrics: SignalMetrics = {
    frames: pcm.length / channels,
    rms,
    peak,
    rmsDbfs: toDbfs(rms),
    peakDbfs: toDbfs(peak),
    clippingPercent: pcm.length > 0 ? (100 * clipped) / pcm.length : 0,
    snrDb,
    snrMethod,
    noiseFloorDbfs: temporal.noiseFloorDbfs,
    toneHz: tone.isTone ? tone.hz : Number.NaN,
    thdPercent: tone.isTone ? tone.thdPercent : Number.NaN,
    qualityScore: 0,
  };
  metrics.qualityScore = qualityScore(metrics);
  return metrics;
}

/**
 * The 0–100 score: 100, minus 1.5 points per dB of SNR below 40 dB (at most 60), minus 10 points per % of
 * THD (at most 30), minus 100 points per % of clipped samples (at most 40). Unknown (NaN) measures cost nothing.
 * With the default thresholds, audio at exactly 20 dB SNR, 1 % THD and 0.1 % clipping scores 50.
 */
export function qualityScore(m: Pick<SignalMetrics, 'snrDb' | 'thdPercent' | 'clippingPercent'>): number {
  let score = 100;
  if (Number.isFinite(m.snrDb) && m.snrDb < 40) score -= Math.min(60, (40 - m.snrDb) * 1.5);
  if (Number.isFinite(m.thdPercent)) score -= Math.min(30, m.thdPercent * 10);
  if (Number.isFinite(m.clippingPercent)) score -= Math.min(40, m.clippingPercent * 100);
  return Math.max(0, Math.min(100, score));
}

function monoMix(pcm: Int16Array | Float32Array, channels: number, scale: number): Float32Array {
  const n = pcm.length / channels;
  const out = new Float32Array(n);
  const k = scale / channels;
  for (let i = 0, j = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += pcm[j++];
    out[i] = s * k;
  }
  return out;
}

interface TemporalSnr {
  applicable: boolean;
  snrDb: number;
  noiseFloorDbfs: number;
}

// Frame powers sorted: the quietest 10 % are the background; frames 6 dB above it are the signal. Applies
// only when both exist in fair numbers (a signal with pauses), which is what speech in a call looks like.
function temporalSnr(x: Float32Array, frame: number): TemporalSnr {
  const count = Math.floor(x.length / frame);
  if (count < 5) return { applicable: false, snrDb: Number.NaN, noiseFloorDbfs: Number.NaN };
  const powers = new Float64Array(count);
  for (let f = 0; f < count; f++) {
    let s = 0;
    for (let i = f * frame, end = i + frame; i < end; i++) s += x[i] * x[i];
    powers[f] = s / frame;
  }
  powers.sort();
  const quiet = Math.max(1, Math.floor(count * 0.1));
  let noise = 0;
  for (let i = 0; i < quiet; i++) noise += powers[i];
  noise /= quiet;
  const floor = Math.max(noise, 1e-12);
  let active = 0;
  let activePower = 0;
  for (let i = 0; i < count; i++) {
    if (powers[i] > floor * 4) {
      active++;
      activePower += powers[i];
    }
  }
  const noiseFloorDbfs = toDbfs(Math.sqrt(noise));
  const applicable = active >= Math.max(1, count * 0.1) && active <= count * 0.9;
  if (!applicable) return { applicable, snrDb: Number.NaN, noiseFloorDbfs };
  const signal = activePower / active - noise;
  return { applicable, snrDb: Math.min(120, 10 * Math.log10(signal / floor)), noiseFloorDbfs };
}

interface ToneAnalysis {
  isTone: boolean;
  hz: number;
  thdPercent: number;
  snrDb: number;
}

// A steady tone puts most of the power in one main lobe; THD sums harmonics 2..10 at multiples of the
// interpolated peak; the remainder of the spectrum is noise.
function toneAnalysis(x: Float32Array, rate: number): ToneAnalysis {
  const none: ToneAnalysis = { isTone: false, hz: Number.NaN, thdPercent: Number.NaN, snrDb: Number.NaN };
  const n = floorPow2(Math.min(x.length, MAX_FFT));
  if (n < 1024) return none;
  const p = powerSpectrum(x, n);
  const half = n / 2;
  let k0 = LOBE_BINS + 1;
  for (let k = k0; k < half - LOBE_BINS; k++) if (p[k] > p[k0]) k0 = k;
  let total = 0;
  for (let k = LOBE_BINS + 1; k <= half; k++) total += p[k];
  if (!(total > 0)) return none;
  const lobe = (center: number) => {
    let s = 0;
    const lo = Math.max(LOBE_BINS + 1, center - LOBE_BINS);
    const hi = Math.min(half, center + LOBE_BINS);
    for (let k = lo; k <= hi; k++) s += p[k];
    return s;
  };
  const fundamental = lobe(k0);
  if (fundamental < 0.5 * total) return none;
  // Parabolic interpolation on log power for the fractional peak position.
  const a = Math.log(p[k0 - 1] + 1e-300);
  const b = Math.log(p[k0] + 1e-300);
  const c = Math.log(p[k0 + 1] + 1e-300);
  const denom = a - 2 * b + c;
  const peak = k0 + (denom !== 0 ? (0.5 * (a - c)) / denom : 0);
  let harmonics = 0;
  for (let h = 2; h <= 10; h++) {
    const center = Math.round(h * peak);
    if (center + LOBE_BINS > half) break;
    harmonics += lobe(center);
  }
  const noise = Math.max(total - fundamental - harmonics, total * 1e-12);
  return {
    isTone: true,
    hz: (peak * rate) / n,
    thdPercent: 100 * Math.sqrt(harmonics / fundamental),
    snrDb: 10 * Math.log10(fundamental / noise),
  };
}
