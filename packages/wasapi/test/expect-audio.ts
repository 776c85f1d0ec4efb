// Test helpers for the new API: the AudioDeviceError code an operation must throw, and frames to write.
import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import { expect } from 'vitest';
import type { AudioDeviceErrorCode } from '../src/index.js';

/** Matches an AudioDeviceError (a VoxwireError) with `code`: `expect(fn).toThrow(coded("CLOSED"))` (an asymmetric matcher typed as what toThrow takes). */
export function coded(code: AudioDeviceErrorCode): Error {
  return expect.objectContaining({ name: 'AudioDeviceError', code });
}

/** Interleaved Int16 samples as a frame to write. */
export function pcm(samples: Int16Array, sampleRate: number, channels = 1): AudioFrame {
  return audioFrame(samples, sampleRate, channels);
}
