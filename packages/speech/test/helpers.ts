import { execFileSync } from 'node:child_process';
import { readStreamingWav, resampleFrame } from '../src/index.js';

/** Speech from espeak-ng (en-us voice, which pocketsphinx recognises best) at `rate`. */
export function speak(text: string, rate = 24000): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', 'en-us', '--stdout', '--', text]);
  return resampleFrame(readStreamingWav(wav), rate).data;
}

/** RMS level in dBFS. */
export function dbfs(pcm: Int16Array): number {
  let s = 0;
  for (let i = 0; i < pcm.length; i++) s += pcm[i] * pcm[i];
  return 20 * Math.log10(Math.sqrt(s / Math.max(1, pcm.length)) / 32768 + 1e-12);
}
