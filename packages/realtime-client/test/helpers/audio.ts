// Test audio for this package: the shared signals of @voxwire/test-support (espeak-ng speech resampled by
// sox, pure tones, levels) in the argument shapes these tests use, plus the wire helpers they need.
import {
  concat as concatParts,
  estimatePitchHz,
  rms,
  speech as spokenText,
  tone as toneSamples,
} from '@voxwire/test-support';

export { rms };

/** espeak-ng speech as mono PCM16 at `rate` (170 words per minute, as these tests were tuned with). */
export function speech(text: string, rate: number): Int16Array {
  return spokenText(text, rate, { wordsPerMinute: 170 });
}

/** A sine tone `seconds` long. */
export function tone(freq: number, rate: number, seconds: number, amplitude = 0.5): Int16Array {
  return toneSamples(freq, rate, Math.round(rate * seconds), amplitude);
}

/** Concatenates chunks. */
export function concat(chunks: Int16Array[]): Int16Array {
  return concatParts(...chunks);
}

/** Frequency from interpolated rising zero crossings over the middle 80 % of the signal. */
export function zeroCrossingFrequency(pcm: Int16Array, rate: number): number {
  return estimatePitchHz(pcm, rate, {
    start: Math.floor(pcm.length * 0.1),
    end: Math.floor(pcm.length * 0.9),
  });
}

/** Splits PCM into chunks of `size` samples (views). */
export function chunks(pcm: Int16Array, size: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < pcm.length; i += size) out.push(pcm.subarray(i, Math.min(pcm.length, i + size)));
  return out;
}

/** Base64 PCM16LE, as the server side of a test writes it. */
export function toBase64(pcm: Int16Array): string {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
}

/** Decodes base64 PCM16LE, as the server side of a test reads it. */
export function fromBase64(b64: string): Int16Array {
  const b = Buffer.from(b64, 'base64');
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
