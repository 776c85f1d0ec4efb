// Frequency of a test tone, measured independently of the code under test.

import type { SpanOptions } from './signals.js';

/**
 * Frequency of a (roughly) pure tone, in Hz, from its rising zero crossings located to a fraction of a
 * sample by linear interpolation, counted from the first to the last crossing of the span. Accurate to
 * well under 0.1 Hz for a clean tone of a few hundred ms, and robust to the level changes of gain, G.711
 * or resampling; not meant for mixtures of tones (measure each with a Goertzel filter there) or for the
 * fundamental of speech. Any sample scale (Int16, float). 0 when the span has fewer than two rising crossings.
 */
export function estimatePitchHz(
  pcm: ArrayLike<number>,
  sampleRate: number,
  options: SpanOptions = {},
): number {
  const channels = options.channels ?? 1;
  const channel = options.channel ?? 0;
  const start = options.start ?? 0;
  const end = options.end ?? Math.floor(pcm.length / channels);
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = start + 1; i < end; i++) {
    const a = pcm[(i - 1) * channels + channel] as number;
    const b = pcm[i * channels + channel] as number;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      else crossings++;
      last = t;
    }
  }
  return crossings > 0 ? (crossings * sampleRate) / (last - first) : 0;
}
