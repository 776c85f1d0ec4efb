/** Test signal helpers of this package only (tones and the rest come from @voxwire/test-support). */
import { type AudioFrame, audioFrame } from '@voxwire/codecs';

/** Cuts `pcm` into chunks of pseudo-random sizes in [1, maxChunk] (deterministic by seed). */
export function randomChunks(pcm: Int16Array, maxChunk: number, seed: number, multiple = 1): Int16Array[] {
  let s = seed >>> 0;
  const chunks: Int16Array[] = [];
  let at = 0;
  while (at < pcm.length) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const size = (1 + (s % maxChunk)) * multiple;
    chunks.push(pcm.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** `pcm` as a mono AudioFrame at `rate` (16 kHz by default). */
export function mono(pcm: Int16Array, rate = 16000, position = 0): AudioFrame {
  return audioFrame(pcm, rate, 1, position);
}
