// Spoken test audio made offline with espeak-ng, and helpers to read chunks back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64ToInt16, wav } from '@voxwire/codecs';

export interface SpeechFile {
  path: string;
  /** Seconds of audio in the file. */
  seconds: number;
  /** Seconds from the first to the last sample above 1 % of full scale. */
  voicedSeconds: number;
}

/** Writes `text` spoken by espeak-ng (22.05 kHz mono WAV) to a temporary file. */
export function makeSpeech(text: string): SpeechFile {
  const path = join(mkdtempSync(join(tmpdir(), 'nevil-speech-')), 'speech.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', path, text]);
  const { sampleRate, data } = wav.read(readFileSync(path));
  const pcm = data as Int16Array;
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.length; i++) {
    if (Math.abs(pcm[i] as number) > 328) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { path, seconds: pcm.length / sampleRate, voicedSeconds: (last - first) / sampleRate };
}

/** Decodes a chunk and checks the base64 is strict. */
export function decodeChunk(base64: string): Int16Array {
  return base64ToInt16(base64);
}

/** RMS of PCM16, 0..1. */
export function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return pcm.length ? Math.sqrt(s / pcm.length) / 32768 : 0;
}

/** Resolves when `check()` is true, polling every 20 ms; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  if (!(await within(check, timeoutMs))) throw new Error(`timed out waiting for ${what}`);
}

/** Whether `check()` becomes true within `ms` (polling every 20 ms). */
export async function within(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
