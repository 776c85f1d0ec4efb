// The level of one known frequency in a signal, for tests and benchmarks that measure a tone through a mix,
// a codec or a resampler.

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
