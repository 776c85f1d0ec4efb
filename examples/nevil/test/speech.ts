// Spoken test audio made offline with espeak-ng (through @voxwire/test-support), and helpers to read
// chunks back. Levels and waits come from test-support too.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64ToInt16 } from '@voxwire/codecs';
import { voicedSpan, waitUntil, writeSpeechWav } from '@voxwire/test-support';

export { rms } from '@voxwire/test-support';

export interface SpeechFile {
  path: string;
  /** Seconds of audio in the file. */
  seconds: number;
  /** Seconds from the first to the last sample above 1 % of full scale. */
  voicedSeconds: number;
}

/** A fresh temporary directory for test audio files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nevil-audio-'));
}

/** Writes `text` spoken by espeak-ng (22.05 kHz mono WAV) to a temporary file, for `paplay`. */
export function makeSpeech(text: string): SpeechFile {
  const path = join(tempDir(), 'speech.wav');
  const { pcm, sampleRate } = writeSpeechWav(path, text, { wordsPerMinute: 150 });
  const { first, last } = voicedSpan(pcm, 328);
  return { path, seconds: pcm.length / sampleRate, voicedSeconds: (last - first) / sampleRate };
}

/** Decodes a chunk and checks the base64 is strict. */
export function decodeChunk(base64: string): Int16Array {
  return base64ToInt16(base64);
}

/** {@link waitUntil} with Nevil's deadline (30 s: PulseAudio delivers in real time on a loaded machine). */
export function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  return waitUntil(check, what, timeoutMs);
}
