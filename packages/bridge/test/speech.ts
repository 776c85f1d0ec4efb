import { spawnSync } from 'node:child_process';
import { Resampler } from '@voxwire/codecs';

const cache = new Map<string, Int16Array>();

/** Real speech from espeak-ng (22.05 kHz), resampled with @voxwire/codecs to `rate`. */
export function speech(text: string, rate: number): Int16Array {
  const key = `${rate}:${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = spawnSync('espeak-ng', ['--stdout', '-s', '170', text], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`espeak-ng failed (is it installed?): ${r.stderr?.toString()}`);
  const wav = r.stdout as Buffer;
  // espeak-ng writes a 44-byte PCM16 mono header with its streaming sizes; the samples follow.
  const srcRate = wav.readUInt32LE(24);
  const body = wav.subarray(44);
  const pcm = new Int16Array(body.buffer.slice(body.byteOffset, body.byteOffset + (body.byteLength & ~1)));
  const res = new Resampler({ inputRate: srcRate, outputRate: rate });
  const a = res.process(pcm) as Int16Array;
  const b = res.flush() as Int16Array;
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  cache.set(key, out);
  return out;
}

/** Concatenates PCM arrays. */
export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
