/**
 * Nevil: the design's AudioCaptureManager (camelCased) on voxwire — native capture (@voxwire/wasapi),
 * energy or Silero VAD (@voxwire/vad), base64 PCM16 chunks (@voxwire/codecs) streamed to a realtime model
 * (@voxwire/realtime-client).
 * @packageDocumentation
 */

export { AudioCaptureManager, type AudioCaptureStats } from './audio-capture-manager.js';
export type { AudioCaptureCallbacks, CaptureState } from './callbacks.js';
export { type AudioCaptureConfig, DEFAULT_CONFIG, resolveConfig } from './config.js';
export type { AudioStreamTarget, ClientEventLike } from './connection-target.js';
export { type CreateAudioCaptureOptions, createAudioCapture } from './create-audio-capture.js';
export { type AudioDeviceInfo, listAudioDevices } from './device-list.js';
export { AudioCaptureError, type AudioCaptureErrorCode, NoDeviceError, RuntimeError } from './errors.js';
export { RealtimeConnectionManager, type RealtimeConnectionOptions } from './realtime-connection-manager.js';
export { toGaSession } from './session-shape.js';
