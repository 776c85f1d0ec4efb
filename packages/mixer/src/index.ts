/**
 * @voxwire/mixer: N input streams → one clocked output, with per-input jitter buffers on shared rings,
 * resampling, gain ramps, mute, a soft limiter, mix-minus outputs and latency stats. Audio goes in and
 * out as {@link AudioFrame}s from @voxwire/codecs.
 * @packageDocumentation
 */

export type { AudioFrame } from '@voxwire/codecs';
export { VoxwireError } from '@voxwire/core';
export { MixerError, type MixerErrorCode } from './errors.js';
export type { FrameClockStats } from './frame-clock.js';
export type { InputState, InputStats } from './input-stream.js';
export {
  AudioMixer,
  type AudioMixerEvents,
  type AudioMixerOptions,
  type LatencyStats,
  type MixerStats,
  type OutputCallback,
  type OutputOptions,
  type StreamOptions,
} from './mixer.js';
