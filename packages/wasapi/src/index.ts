/**
 * @voxwire/wasapi: low-latency audio capture and playback for Node.js through a native addon with
 * WASAPI (Windows), PulseAudio (Linux) and null (virtual, anywhere) backends. Audio moves between the
 * native real-time thread and JS through a @voxwire/ringbuffer SharedArrayBuffer ring; JS is woken
 * once per batch of periods.
 *
 * @packageDocumentation
 */

export { AudioCore, type AudioCoreConfig, type LatencyStats } from './audio-core.js';
export { AudioCapture, type CaptureOptions } from './capture.js';
export {
  type BackendInfo,
  type DeviceChangeEvent,
  type DeviceQueryOptions,
  getDefaultDevice,
  listBackends,
  listDevices,
  off,
  on,
  resolveBackend,
} from './devices.js';
export {
  AudioError,
  type AudioErrorCode,
  BackendUnavailableError,
  DeviceError,
  InvalidArgumentError,
  InvalidStateError,
  NativeLoadError,
  StreamClosedError,
  UnknownDeviceError,
  UnsupportedFormatError,
} from './errors.js';
export { type BindingReport, bindingReport, platformSuffix } from './native.js';
export { AudioPlayback, type PlaybackOptions } from './playback.js';
export type {
  AudioDevice,
  AudioFrame,
  BackendName,
  DeliveryStats,
  DeviceKind,
  SampleFormat,
  Samples,
  StreamOptions,
  StreamState,
  StreamStats,
} from './types.js';
