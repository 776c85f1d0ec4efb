/** Test signal generation and measurement: tones, level, pitch. */

/** A sine tone as Int16 PCM. */
export function tone(freq: number, sampleRate: number, seconds: number, amplitude = 0.25): Int16Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / sampleRate) * amplitude * 32767);
  return out;
}

/** RMS level in dBFS (0 dBFS = full-scale square wave; a full-scale sine is -3 dBFS). */
export function rmsDb(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return 10 * Math.log10(sum / pcm.length / (32768 * 32768) + 1e-20);
}

/**
 * Dominant frequency by a Hann-windowed DFT scan with parabolic interpolation of the peak: accurate to a
 * fraction of a Hz for a clean tone of a few hundred ms.
 */
export function dominantFrequency(pcm: Int16Array, sampleRate: number, maxHz = 4000): number {
  const n = pcm.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (pcm[i] / 32768) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const binHz = sampleRate / n;
  const bins = Math.min(Math.floor(maxHz / binHz), Math.floor(n / 2) - 1);
  const mag = new Float64Array(bins + 1);
  for (let k = 1; k <= bins; k++) {
    // Goertzel for bin k.
    const w = (2 * Math.PI * k) / n;
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = x[i] + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    mag[k] = s1 * s1 + s2 * s2 - c * s1 * s2;
  }
  let best = 1;
  for (let k = 2; k < bins; k++) if (mag[k] > mag[best]) best = k;
  const a = Math.log(mag[best - 1] + 1e-30);
  const b = Math.log(mag[best] + 1e-30);
  const c = Math.log(mag[best + 1] + 1e-30);
  const offset = (0.5 * (a - c)) / (a - 2 * b + c);
  return (best + offset) * binHz;
}

/** Frequency from the count of upward zero crossings (robust cross-check of the DFT estimate). */
export function zeroCrossingFrequency(pcm: Int16Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < pcm.length; i++) {
    if (pcm[i - 1] < 0 && pcm[i] >= 0) {
      // Sub-sample crossing position by linear interpolation.
      const t = i - 1 + -pcm[i - 1] / (pcm[i] - pcm[i - 1]);
      if (first < 0) first = t;
      else count++;
      last = t;
    }
  }
  return count > 0 ? (count * sampleRate) / (last - first) : 0;
}

/** Start indices of the `block`-sample blocks of `pcm` louder than -30 dBFS (where a tone is, not silence). */
export function loudBlocks(pcm: Int16Array, block: number): number[] {
  const loud: number[] = [];
  for (let i = 0; i + block <= pcm.length; i += block) {
    if (rmsDb(pcm.subarray(i, i + block)) > -30) loud.push(i);
  }
  return loud;
}

/** Concatenates PCM chunks. */
export function concat(chunks: Int16Array[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Int16Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
