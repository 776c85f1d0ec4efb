import { AudioFormatError } from './errors.js';

/**
 * Converts Float32 samples in [-1, 1] to Int16 PCM with clipping. NaN becomes 0 (documented clamp).
 * @param input - float samples
 * @param out - optional output buffer of at least `input.length` samples, reused on hot paths
 */
export function floatToInt16(input: Float32Array, out?: Int16Array): Int16Array {
  const dst = out ?? new Int16Array(input.length);
  if (dst.length < input.length) {
    throw new AudioFormatError(`output buffer holds ${dst.length} samples, need ${input.length}`);
  }
  for (let i = 0; i < input.length; i++) {
    const v = input[i] * 32768;
    // Comparisons with NaN are false, so NaN reaches Math.round and the typed-array store turns it into 0.
    dst[i] = v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
  }
  return out ? dst.subarray(0, input.length) : dst;
}

/**
 * Converts Int16 PCM to Float32 in [-1, 1).
 * @param input - PCM samples
 * @param out - optional output buffer of at least `input.length` samples
 */
export function int16ToFloat(input: Int16Array, out?: Float32Array): Float32Array {
  const dst = out ?? new Float32Array(input.length);
  if (dst.length < input.length) {
    throw new AudioFormatError(`output buffer holds ${dst.length} samples, need ${input.length}`);
  }
  for (let i = 0; i < input.length; i++) dst[i] = input[i] / 32768;
  return out ? dst.subarray(0, input.length) : dst;
}
