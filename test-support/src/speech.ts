// Real speech for tests: espeak-ng synthesises it and sox converts the rate, so neither the level nor the
// rate conversion comes from the code under test. Both are Debian packages listed in .ci/apt-packages.txt.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** How espeak-ng speaks. */
export interface SpeechOptions {
  /** espeak-ng voice (default `en-us`, the accent pocketsphinx recognises best). */
  voice?: string;
  /** Speaking rate in words per minute (default 175, espeak-ng's own default). */
  wordsPerMinute?: number;
}

// Synthesis costs a process start or two per call and tests ask for the same sentence again and again.
const cache = new Map<string, Int16Array>();

function espeakArgs(text: string, options: SpeechOptions): string[] {
  return ['-v', options.voice ?? 'en-us', '-s', String(options.wordsPerMinute ?? 175), '--', text];
}

/**
 * `text` spoken by espeak-ng as mono Int16 PCM at `sampleRate` (sox converts from espeak's 22.05 kHz).
 * Results are cached per text, rate and options; every call returns its own copy, free to modify.
 */
export function speech(text: string, sampleRate: number, options: SpeechOptions = {}): Int16Array {
  const key = JSON.stringify([text, sampleRate, options.voice, options.wordsPerMinute]);
  let pcm = cache.get(key);
  if (!pcm) {
    const wav = execFileSync('espeak-ng', ['--stdout', ...espeakArgs(text, options)], {
      maxBuffer: 64 << 20,
    });
    const raw = execFileSync(
      'sox',
      ['-t', 'wav', '-', '-t', 'raw', '-e', 'signed', '-b', '16', '-c', '1', '-r', String(sampleRate), '-'],
      { input: wav, maxBuffer: 64 << 20 },
    );
    pcm = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.byteLength & ~1)));
    cache.set(key, pcm);
  }
  return pcm.slice();
}

/**
 * Writes `text` spoken by espeak-ng to the WAV file `path` (espeak's own mono PCM16 at its native rate,
 * 22.05 kHz), for tests that hand a file to a program, and returns its samples.
 */
export function writeSpeechWav(
  path: string,
  text: string,
  options: SpeechOptions = {},
): { pcm: Int16Array; sampleRate: number } {
  execFileSync('espeak-ng', ['-w', path, ...espeakArgs(text, options)]);
  return readWavPcm16(readFileSync(path));
}

/** Mono PCM16 samples and rate of a RIFF/WAVE file (the `data` chunk, to the end if its size is open). */
function readWavPcm16(file: Buffer): { pcm: Int16Array; sampleRate: number } {
  let at = 12;
  let sampleRate = 0;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    if (id === 'fmt ') sampleRate = file.readUInt32LE(at + 12);
    if (id === 'data') {
      const end = Math.min(file.length, at + 8 + size);
      const body = file.subarray(at + 8, at + 8 + ((end - at - 8) & ~1));
      return {
        pcm: new Int16Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)),
        sampleRate,
      };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk in the WAV file');
}
