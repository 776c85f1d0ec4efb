// Real test audio: espeak-ng speech (resampled by sox) and pure tones, plus the measurements tests use.
import { spawnSync } from 'node:child_process';

/** espeak-ng speech as mono PCM16 at `rate` (sox does the rate conversion, independent of our code). */
export function speech(text: string, rate: number): Int16Array {
  const wav = spawnSync('espeak-ng', ['--stdout', '-s', '170', text], { maxBuffer: 64 << 20 });
  if (wav.status !== 0) throw new Error(`espeak-ng failed: ${wav.stderr?.toString()}`);
  const raw = spawnSync(
    'sox',
    ['-t', 'wav', '-', '-t', 'raw', '-e', 'signed', '-b', '16', '-c', '1', '-r', String(rate), '-'],
    {
      input: wav.stdout,
      maxBuffer: 64 << 20,
    },
  );
  if (raw.status !== 0) throw new Error(`sox failed: ${raw.stderr?.toString()}`);
  const bytes = raw.stdout as Buffer;
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A sine tone. */
export function tone(freq: number, rate: number, seconds: number, amplitude = 0.5): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * amplitude * 32767);
  return out;
}

/** RMS level relative to full scale. */
export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / Math.max(1, pcm.length)) / 32768;
}

/** Frequency estimated from rising zero crossings (interpolated), over the middle of the signal. */
export function zeroCrossingFrequency(pcm: Int16Array, rate: number): number {
  const start = Math.floor(pcm.length * 0.1);
  const end = Math.floor(pcm.length * 0.9);
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = start + 1; i < end; i++) {
    if (pcm[i - 1] < 0 && pcm[i] >= 0) {
      const t = i - 1 + -pcm[i - 1] / (pcm[i] - pcm[i - 1]);
      if (first < 0) first = t;
      else count++;
      last = t;
    }
  }
  return (count * rate) / (last - first);
}

/** Concatenates chunks. */
export function concat(chunks: Int16Array[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Int16Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
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
