import { type AudioFrame, audioFrame, type EncodedFrame, encodedFrame } from '@voxwire/codecs';
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

/** Resolves once `test()` holds, checking on every event-loop turn (no clock involved). */
export async function eventually(test: () => boolean, maxTurns = 1_000_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (test()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
