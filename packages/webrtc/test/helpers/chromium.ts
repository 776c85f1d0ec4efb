import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Writes a 16-bit mono 48 kHz sine WAV with sox (Chromium's fake mic ignores 24-bit files). */
export function writeToneWav(dir: string, freq: number, amplitude: number, seconds = 10): string {
  const file = join(dir, `tone-${freq}.wav`);
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-b',
    '16',
    '-c',
    '1',
    file,
    'synth',
    String(seconds),
    'sine',
    String(freq),
    'vol',
    String(amplitude),
  ]);
  return file;
}
