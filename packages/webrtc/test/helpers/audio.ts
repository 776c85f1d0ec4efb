// Test signals for this package: the shared implementations of @voxwire/test-support in the argument
// shapes these tests use (seconds, dBFS of a block, a chunk list).
import {
  concat as concatParts,
  dbfs,
  dominantFrequencyHz,
  estimatePitchHz,
  tone as toneSamples,
} from '@voxwire/test-support';

/** A sine tone `seconds` long, peak `amplitude` of full scale. */
export function tone(freq: number, sampleRate: number, seconds: number, amplitude = 0.25): Int16Array {
  return toneSamples(freq, sampleRate, Math.round(sampleRate * seconds), amplitude);
}

/** RMS level in dBFS (0 dBFS = full-scale square wave; a full-scale sine is -3 dBFS). */
export function rmsDb(pcm: Int16Array): number {
  return dbfs(pcm);
}

/** Dominant frequency by a Hann-windowed DFT scan (robust to codec noise). */
export function dominantFrequency(pcm: Int16Array, sampleRate: number, maxHz = 4000): number {
  return dominantFrequencyHz(pcm, sampleRate, { maxHz });
}

/** Frequency from interpolated rising zero crossings (cross-check of the DFT estimate). */
export function zeroCrossingFrequency(pcm: Int16Array, sampleRate: number): number {
  return estimatePitchHz(pcm, sampleRate);
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
  return concatParts(...chunks);
}
