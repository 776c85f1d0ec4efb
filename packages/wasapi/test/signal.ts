// Measurements used by the tests: frequency by zero crossings (with interpolation), RMS level in
// dBFS, a Goertzel tone power, a sine generator and cross-correlation for click round trips.

/** Converts Int16 or Float32 samples of channel 0 to floats in [-1, 1]. */
export function toFloat(samples: Int16Array | Float32Array, channels = 1): Float32Array {
  const n = Math.floor(samples.length / channels);
  const out = new Float32Array(n);
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  for (let i = 0; i < n; i++) out[i] = (samples[i * channels] as number) * scale;
  return out;
}

/** Frequency in Hz from the mean interval between rising zero crossings. */
export function zeroCrossingHz(x: Float32Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1] as number;
    const b = x[i] as number;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      else count++;
      last = t;
    }
  }
  return count > 0 ? (count * sampleRate) / (last - first) : 0;
}

/** RMS level in dBFS (a full-scale sine is -3 dBFS). */
export function rmsDb(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return 10 * Math.log10(sum / Math.max(1, x.length) + 1e-20);
}

/** A sine of `frames` frames at `hz`, `amplitude` peak, interleaved into `channels`. */
export function sine(
  frames: number,
  hz: number,
  sampleRate: number,
  amplitude: number,
  channels = 1,
  startFrame = 0,
): Float32Array {
  const out = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = amplitude * Math.sin((2 * Math.PI * hz * (i + startFrame)) / sampleRate);
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}

/** Float32 [-1, 1] to Int16 PCM. */
export function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++)
    out[i] = Math.max(-32768, Math.min(32767, Math.round((x[i] as number) * 32767)));
  return out;
}

/** Index of the first sample whose magnitude exceeds `threshold`, or -1. */
export function onset(x: Float32Array, threshold: number, from = 0): number {
  for (let i = from; i < x.length; i++) if (Math.abs(x[i] as number) > threshold) return i;
  return -1;
}

/** Lag (in samples) at which `signal` best matches `template` (normalised cross-correlation peak). */
export function bestLag(signal: Float32Array, template: Float32Array): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let lag = 0; lag + template.length <= signal.length; lag++) {
    let s = 0;
    for (let i = 0; i < template.length; i++) s += (signal[lag + i] as number) * (template[i] as number);
    if (s > bestScore) {
      bestScore = s;
      best = lag;
    }
  }
  return best;
}

/** Frequency in Hz from the median interval between rising zero crossings (robust to dropouts). */
export function medianCrossingHz(x: Float32Array, sampleRate: number): number {
  const times: number[] = [];
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1] as number;
    const b = x[i] as number;
    if (a < 0 && b >= 0) times.push(i - 1 + a / (a - b));
  }
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  gaps.sort((p, q) => p - q);
  const mid = gaps[Math.floor(gaps.length / 2)];
  return mid ? sampleRate / mid : 0;
}

/** Median RMS level in dBFS over blocks of `block` samples (robust to dropouts). */
export function medianBlockRmsDb(x: Float32Array, block: number): number {
  const levels: number[] = [];
  for (let i = 0; i + block <= x.length; i += block) levels.push(rmsDb(x.subarray(i, i + block)));
  levels.sort((p, q) => p - q);
  return levels[Math.floor(levels.length / 2)] ?? -200;
}
