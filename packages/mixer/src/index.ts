/**
 * @voxwire/mixer: N input streams → one clocked output, with per-input jitter buffers on shared rings,
 * resampling, gain ramps, mute, a soft limiter, mix-minus outputs and latency stats.
 * @packageDocumentation
 */
export { MixerError, type MixerErrorCode } from './errors.js';
export type { FrameClockStats } from './frame-clock.js';
export type { InputState, InputStats } from './input-stream.js';
export type { LatencyStats } from './latency-monitor.js';
export {
  AudioMixer,
  type AudioMixerOptions,
  type MixerFormat,
  type MixerFrame,
  type MixerStats,
  type OutputCallback,
  type OutputOptions,
  type StreamOptions,
} from './mixer.js';
