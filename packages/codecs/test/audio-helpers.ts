/** Test-only signal helpers: tone generation and measurements (level, pitch). */

export function toneInt16(rate: number, freq: number, seconds: number, amp = 0.3, channels = 1): Int16Array {
  const frames = Math.round(rate * seconds);
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(amp * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}

/** RMS of channel `channel` over [start, end) sample frames, as a fraction of full scale. */
export function rms(x: Int16Array, start = 0, end = x.length, channels = 1, channel = 0): number {
  let e = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const v = x[i * channels + channel] / 32768;
    e += v * v;
    n++;
  }
  return Math.sqrt(e / n);
}

/** Frequency estimate from rising zero crossings with linear interpolation, over [start, end) frames. */
export function pitch(x: Int16Array, rate: number, start = 0, end = x.length, channels = 1): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = start + 1; i < end; i++) {
    const a = x[(i - 1) * channels];
    const b = x[i * channels];
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      else count++;
      last = t;
    }
  }
  return count > 0 ? (count * rate) / (last - first) : 0;
}
