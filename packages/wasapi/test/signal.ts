// Measurements of this package's tests that test-support does not have: channel 0 as floats, an onset,
// cross-correlation for click round trips, and pitch and level medians robust to dropouts (tones, pitch
// and dBFS come from @voxwire/test-support).
import { dbfs } from '@voxwire/test-support';

/** Converts Int16 or Float32 samples of channel 0 to floats in [-1, 1]. */
export function toFloat(samples: Int16Array | Float32Array, channels = 1): Float32Array {
  const n = Math.floor(samples.length / channels);
  const out = new Float32Array(n);
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  for (let i = 0; i < n; i++) out[i] = (samples[i * channels] as number) * scale;
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
  for (let i = 0; i + block <= x.length; i += block) levels.push(dbfs(x.subarray(i, i + block)));
  levels.sort((p, q) => p - q);
  return levels[Math.floor(levels.length / 2)] ?? -200;
}
