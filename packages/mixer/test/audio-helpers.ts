import { execFileSync } from 'node:child_process';
import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import type { AudioMixer } from '../src/index.js';

/** Wraps PCM as an {@link AudioFrame} (mono unless told). */
export function frame(data: Int16Array, rate: number, channels = 1): AudioFrame {
  return audioFrame(data, rate, channels);
}

/** A sine tone as Int16 PCM. */
export function tone(freq: number, ms: number, rate: number, amplitude: number, channels = 1): Int16Array {
  const frames = Math.round((ms * rate) / 1000);
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}

/** Frequency of a (roughly) pure tone from its rising zero crossings, interpolated. */
export function zeroCrossingHz(x: ArrayLike<number>, rate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return count < 2 ? 0 : ((count - 1) * rate) / (last - first);
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** Speech from espeak-ng (a Debian package the CI installs) as Int16 PCM with its sample rate. */
export function speech(text: string): { pcm: Int16Array; sampleRate: number } {
  const wav = execFileSync('espeak-ng', ['--stdout', text]);
  const sampleRate = wav.readUInt32LE(24);
  let off = 12;
  while (off + 8 <= wav.length && wav.toString('ascii', off, off + 4) !== 'data')
    off += 8 + wav.readUInt32LE(off + 4);
  const start = off + 8;
  const bytes = (wav.length - start) & ~1;
  const pcm = new Int16Array(bytes / 2);
  for (let i = 0; i < pcm.length; i++) pcm[i] = wav.readInt16LE(start + 2 * i);
  return { pcm, sampleRate };
}

/** Drives `mixer.mixFrame()` `frames` times and concatenates the Int16 frames. */
export function collect(mixer: AudioMixer, frames: number): Int16Array {
  const len = mixer.frameSize * mixer.channels;
  const out = new Int16Array(frames * len);
  for (let f = 0; f < frames; f++) out.set(mixer.mixFrame().data, f * len);
  return out;
}
