import { type AudioFrame, audioFrame } from '@voxwire/codecs';
/** Deterministic test signals: tones, silence, tone bursts. */

/** A sine at `hz` with peak `amplitude` (full scale 1.0), as Int16 PCM. */
export function tone(
  hz: number,
  rate: number,
  seconds: number,
  amplitude = 0.5,
  harmonics: number[] = [],
): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * hz * i) / rate;
    let v = Math.sin(t);
    harmonics.forEach((a, h) => {
      v += a * Math.sin((h + 2) * t);
    });
    out[i] = Math.round(v * amplitude * 32767);
  }
  return out;
}

/** Concatenates PCM pieces. */
export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

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
