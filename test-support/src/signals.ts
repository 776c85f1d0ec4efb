// Test signals and their levels: tones, silence, concatenation, RMS and dBFS. One implementation each for
// every package's tests (they used to write their own, with four argument orders for `tone`).

/** Extra shape for {@link tone} and {@link toneFloat32}. */
export interface ToneOptions {
  /** Interleaved channels, each carrying the same tone (default 1). */
  channels?: number;
  /** Relative amplitudes of the 2nd, 3rd, … harmonics added to the fundamental (default none). */
  harmonics?: readonly number[];
  /** Index of the first sample frame, to continue a tone block by block without a phase jump (default 0). */
  startSample?: number;
}

/** Writes the tone into `out` (interleaved), scaled by `scale` and rounded when `round`. */
function fillTone(
  out: Int16Array | Float32Array,
  freqHz: number,
  sampleRate: number,
  scale: number,
  round: boolean,
  options: ToneOptions,
): void {
  const channels = options.channels ?? 1;
  const harmonics = options.harmonics ?? [];
  const start = options.startSample ?? 0;
  const frames = out.length / channels;
  for (let i = 0; i < frames; i++) {
    const phase = (2 * Math.PI * freqHz * (i + start)) / sampleRate;
    let v = Math.sin(phase);
    for (let h = 0; h < harmonics.length; h++) v += (harmonics[h] as number) * Math.sin((h + 2) * phase);
    const s = round ? Math.round(v * scale) : v * scale;
    for (let c = 0; c < channels; c++) out[i * channels + c] = s;
  }
}

/**
 * A sine at `freqHz` as Int16 PCM: `samples` sample frames (per channel; rounded) at `sampleRate`, peak
 * `amplitude` as a fraction of full scale (1 → ±32767). Time is counted in samples, as at every seam:
 * write `tone(440, 16000, 0.5 * 16000)` for half a second.
 */
export function tone(
  freqHz: number,
  sampleRate: number,
  samples: number,
  amplitude = 0.5,
  options: ToneOptions = {},
): Int16Array {
  const out = new Int16Array(Math.round(samples) * (options.channels ?? 1));
  fillTone(out, freqHz, sampleRate, amplitude * 32767, true, options);
  return out;
}

/**
 * The same sine as floating-point samples (peak `amplitude`, full scale ±1), unquantised: for float device
 * paths, and for measuring a resampler's rejection below the 16-bit noise floor.
 */
export function toneFloat32(
  freqHz: number,
  sampleRate: number,
  samples: number,
  amplitude = 0.5,
  options: ToneOptions = {},
): Float32Array {
  const out = new Float32Array(Math.round(samples) * (options.channels ?? 1));
  fillTone(out, freqHz, sampleRate, amplitude, false, options);
  return out;
}

/** `samples` sample frames (per channel) of digital silence. */
export function silence(samples: number, channels = 1): Int16Array {
  return new Int16Array(Math.round(samples) * channels);
}

/** The parts one after the other, in a new array. */
export function concat(...parts: readonly Int16Array[]): Int16Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Int16Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Which part of interleaved PCM a measurement reads. */
export interface SpanOptions {
  /** First sample frame (default 0). */
  start?: number;
  /** Sample frame after the last (default: the end). */
  end?: number;
  /** Interleaved channels in `pcm` (default 1). */
  channels?: number;
  /** The channel measured (default 0). */
  channel?: number;
}

/**
 * RMS level as a fraction of full scale (Int16: 32768 → 1; Float32: 1.0 → 1): a full-scale sine reads
 * 1/√2. 0 for an empty span.
 */
export function rms(pcm: Int16Array | Float32Array, options: SpanOptions = {}): number {
  const fullScale = pcm instanceof Float32Array ? 1 : 32768;
  const channels = options.channels ?? 1;
  const channel = options.channel ?? 0;
  const start = options.start ?? 0;
  const end = options.end ?? Math.floor(pcm.length / channels);
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = (pcm[i * channels + channel] as number) / fullScale;
    sum += v * v;
  }
  return end > start ? Math.sqrt(sum / (end - start)) : 0;
}

/**
 * RMS level in dBFS, 20·log10({@link rms}): a full-scale sine reads −3.01 dBFS, a full-scale square wave
 * 0 dBFS, silence −240 dBFS (floored so that comparisons stay finite).
 */
export function dbfs(pcm: Int16Array | Float32Array, options: SpanOptions = {}): number {
  return 20 * Math.log10(Math.max(rms(pcm, options), 1e-12));
}

/**
 * First and last sample whose magnitude exceeds `level` (default 328, 1 % of full scale): where the speech
 * of a recording really is, without the synthesiser's leading and trailing silence. Both −1 when no
 * sample does.
 */
export function voicedSpan(pcm: Int16Array, level = 328): { first: number; last: number } {
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.length; i++) {
    if (Math.abs(pcm[i] as number) > level) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { first, last };
}
