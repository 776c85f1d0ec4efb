import { AudioFormatError } from './errors.js';

/** Options for {@link floatToInt16}. */
export interface FloatToInt16Options {
  /**
   * `'tpdf'` adds triangular dither of ±1 LSB before rounding, which turns the quantisation error of quiet
   * signals into benign white noise; `'none'` (the default) rounds to nearest and is deterministic.
   */
  dither?: 'none' | 'tpdf';
}

// xorshift32 state for dither: cheap, allocation-free, good enough for noise shaping of one LSB.
let ditherState = 0x9e3779b9;
function nextUniform(): number {
  ditherState ^= ditherState << 13;
  ditherState ^= ditherState >>> 17;
  ditherState ^= ditherState << 5;
  return (ditherState >>> 0) / 4294967296;
}

/**
 * Converts Float32 samples in [-1, 1] to Int16 PCM (`v * 32768`, rounded) with clipping to
 * [-32768, 32767]. NaN becomes 0 and ±Infinity clips to full scale (documented clamp).
 * @param input - float samples
 * @param out - optional output buffer of at least `input.length` samples, reused on hot paths
 * @param options - optional TPDF dither
 * @throws AudioFormatError when `out` is too small
 */
export function floatToInt16(
  input: Float32Array,
  out?: Int16Array,
  options?: FloatToInt16Options,
): Int16Array {
  const dst = out ?? new Int16Array(input.length);
  if (dst.length < input.length) {
    throw new AudioFormatError(
      'BUFFER_TOO_SMALL',
      `output buffer holds ${dst.length} samples, need ${input.length}`,
    );
  }
  if (options?.dither === 'tpdf') {
    for (let i = 0; i < input.length; i++) {
      const v = input[i] * 32768 + (nextUniform() - nextUniform());
      dst[i] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
    }
  } else {
    for (let i = 0; i < input.length; i++) {
      const v = input[i] * 32768;
      // Comparisons with NaN are false, so NaN reaches Math.round and the typed-array store turns it into 0.
      dst[i] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
    }
  }
  return out ? dst.subarray(0, input.length) : dst;
}

/**
 * Converts Int16 PCM to Float32 in [-1, 1) (`v / 32768`); exact, so {@link floatToInt16} inverts it.
 * @param input - PCM samples
 * @param out - optional output buffer of at least `input.length` samples
 * @throws AudioFormatError when `out` is too small
 */
export function int16ToFloat(input: Int16Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(input.length);
  if (dst.length < input.length) {
    throw new AudioFormatError(
      'BUFFER_TOO_SMALL',
      `output buffer holds ${dst.length} samples, need ${input.length}`,
    );
  }
  for (let i = 0; i < input.length; i++) dst[i] = input[i] / 32768;
  return out ? dst.subarray(0, input.length) : dst;
}
