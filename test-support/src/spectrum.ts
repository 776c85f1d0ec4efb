// Spectral measurements for tests and benchmarks that follow a tone through a mix, a codec or a resampler:
// the level of one known frequency, and the strongest frequency.
import type { estimatePitchHz } from './pitch.js';

/** Which samples {@link toneAmplitude} reads. */
export interface ToneWindow {
  /** First sample (default 0). */
  start?: number;
  /** Samples read (default: to the end). Coherent when it holds a whole number of periods. */
  length?: number;
}

/**
 * Amplitude of the `freqHz` component, in the units of `x` (a sine of peak A reads A when the window holds
 * whole periods of it), by a single-bin DFT computed by direct correlation. Goertzel's recursion would be
 * cheaper but loses precision at low frequencies, which shows up as a false floor near −110 dB.
 */
export function toneAmplitude(
  x: ArrayLike<number>,
  freqHz: number,
  sampleRate: number,
  window: ToneWindow = {},
): number {
  const start = window.start ?? 0;
  const n = window.length ?? x.length - start;
  const w = (2 * Math.PI * freqHz) / sampleRate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const v = x[start + i] as number;
    re += v * Math.cos(w * i);
    im += v * Math.sin(w * i);
  }
  return n > 0 ? (2 * Math.hypot(re, im)) / n : 0;
}

/** Options of {@link dominantFrequencyHz}. */
export interface DominantFrequencyOptions {
  /** Highest frequency searched, Hz (default 4000). */
  maxHz?: number;
}

/**
 * The strongest frequency of PCM, in Hz: a Hann-windowed DFT scan (Goertzel per bin) with parabolic
 * interpolation of the log-magnitude peak. Accurate to a fraction of a Hz for a tone of a few hundred ms;
 * unlike {@link estimatePitchHz} it holds through codec noise and beside weaker tones. Cost grows with
 * length × bins: keep the input to a second or so.
 */
export function dominantFrequencyHz(
  pcm: Int16Array,
  sampleRate: number,
  options: DominantFrequencyOptions = {},
): number {
  const n = pcm.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++)
    x[i] = ((pcm[i] as number) / 32768) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const binHz = sampleRate / n;
  const bins = Math.min(Math.floor((options.maxHz ?? 4000) / binHz), Math.floor(n / 2) - 1);
  const mag = new Float64Array(bins + 1);
  for (let k = 1; k <= bins; k++) {
    const c = 2 * Math.cos((2 * Math.PI * k) / n);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = (x[i] as number) + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    mag[k] = s1 * s1 + s2 * s2 - c * s1 * s2;
  }
  let best = 1;
  for (let k = 2; k < bins; k++) if ((mag[k] as number) > (mag[best] as number)) best = k;
  const a = Math.log((mag[best - 1] as number) + 1e-30);
  const b = Math.log((mag[best] as number) + 1e-30);
  const c = Math.log((mag[best + 1] as number) + 1e-30);
  return (best + (0.5 * (a - c)) / (a - 2 * b + c)) * binHz;
}
