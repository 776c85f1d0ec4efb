import { execFileSync } from 'node:child_process';
import { type AudioFrame, audioFrame, bytesToInt16, type EncodedFrame, encodedFrame } from '@voxwire/codecs';
import { expect } from 'vitest';
import {
  createMediaStreamServer,
  type MediaStreamServer,
  type MediaStreamServerOptions,
  TwilioSimulator,
  type TwilioSimulatorOptions,
} from '../src/index.js';

/** Starts a media-stream server on an ephemeral loopback port. */
export async function startServer(
  options: Omit<MediaStreamServerOptions, 'port' | 'server'> = {},
): Promise<{ server: MediaStreamServer; url: string }> {
  const server = await createMediaStreamServer({ port: 0, host: '127.0.0.1', path: '/media', ...options });
  expect(server.url).toBe(`ws://127.0.0.1:${server.port}/media`);
  return { server, url: server.url };
}

/** Mono PCM as an AudioFrame. */
export function pcm(data: Int16Array, sampleRate: number): AudioFrame {
  return audioFrame(data, sampleRate);
}

/** 8 kHz mu-law bytes as an EncodedFrame. */
export function pcmu(data: Uint8Array): EncodedFrame {
  return encodedFrame('pcmu', data);
}

/** A simulator at full speed unless told otherwise. */
export function simulator(url: string, options: Partial<TwilioSimulatorOptions> = {}): TwilioSimulator {
  return new TwilioSimulator({ url, speed: Number.POSITIVE_INFINITY, ...options });
}

/** A sine tone as Int16 PCM. */
export function tone(freq: number, ms: number, sampleRate: number, amplitude = 0.25): Int16Array {
  const n = Math.round((ms * sampleRate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * freq * i) / sampleRate));
  return out;
}

/** Real speech from espeak-ng, converted by sox to mono PCM16 at `sampleRate`. */
export function speech(text: string, sampleRate: number): Int16Array {
  const wav = execFileSync('espeak-ng', ['-s', '160', '--stdout', text]);
  const raw = execFileSync(
    'sox',
    ['-t', 'wav', '-', '-t', 'raw', '-r', String(sampleRate), '-e', 'signed', '-b', '16', '-c', '1', '-'],
    {
      input: wav,
    },
  );
  return bytesToInt16(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice());
}

/** RMS level in dBFS. */
export function rmsDb(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return 20 * Math.log10(Math.sqrt(sum / pcm.length) / 32768);
}

/** Dominant frequency from positive-going zero crossings (for a clean tone). */
export function zeroCrossingHz(pcm: Int16Array, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < pcm.length; i++) {
    if (pcm[i - 1] < 0 && pcm[i] >= 0) {
      // Sub-sample crossing position by linear interpolation.
      const t = i - 1 + -pcm[i - 1] / (pcm[i] - pcm[i - 1]);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * sampleRate) / (last - first);
}

/** Concatenates Int16 chunks. */
export function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Resolves once `test()` holds, checking on every event-loop turn (no clock involved). */
export async function eventually(test: () => boolean, maxTurns = 1_000_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (test()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
