/**
 * @voxwire/wasapi: low-latency audio capture and playback for Node.js through a native addon with
 * WASAPI (Windows), PulseAudio and ALSA (Linux) and null (virtual, anywhere) backends. Audio moves between
 * the native real-time thread and JS through a @voxwire/ringbuffer SharedArrayBuffer ring; JS is woken
 * once per batch of periods. Audio events and methods use `AudioFrame` from @voxwire/codecs.
 *
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { AudioCore, type AudioCoreConfig, type LatencyStats } from './audio-core.js';
export type { AudioStreamEvents } from './audio-stream.js';
export { AudioCapture, type CaptureEvents, type CaptureOptions } from './capture.js';
export { type DeviceChangeEvent, DeviceWatcher, type DeviceWatcherEvents } from './device-watcher.js';
export {
  type BackendInfo,
  type DeviceQueryOptions,
  getDefaultDevice,
  listBackends,
  listDevices,
  resolveBackend,
} from './devices.js';
export { AudioDeviceError, type AudioDeviceErrorCode } from './errors.js';
export { type BindingReport, bindingReport, platformSuffix } from './native.js';
export { AudioPlayback, type PlaybackEvents, type PlaybackOptions } from './playback.js';
export type {
  AudioDevice,
  BackendName,
  DeliveryStats,
  DeviceKind,
  SampleFormat,
  Samples,
  StreamOptions,
  StreamState,
  StreamStats,
} from './types.js';
