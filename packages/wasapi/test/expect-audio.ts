// Test helpers for the new API: the AudioDeviceError code an operation must throw, and frames to write.
import { type AudioFrame, audioFrame, floatToInt16 } from '@voxwire/codecs';
import { expect } from 'vitest';
import type { AudioDeviceErrorCode } from '../src/index.js';

/** Matches an AudioDeviceError (a VoxwireError) with `code`: `expect(fn).toThrow(coded("CLOSED"))` (an asymmetric matcher typed as what toThrow takes). */
export function coded(code: AudioDeviceErrorCode): Error {
  return expect.objectContaining({ name: 'AudioDeviceError', code });
}

/** Int16 or Float32 samples (floats are converted, as an f32 stream's frames are) as a frame to write. */
export function pcm(samples: Int16Array | Float32Array, sampleRate: number, channels = 1): AudioFrame {
  const data = samples instanceof Float32Array ? floatToInt16(samples) : samples;
  return audioFrame(data, sampleRate, channels);
}
