import { AudioCaptureManager } from './audio-capture-manager.js';
import type { AudioCaptureCallbacks } from './callbacks.js';
import type { AudioCaptureConfig } from './config.js';
import type { AudioStreamTarget } from './connection-target.js';

/** Options of {@link createAudioCapture}: any {@link AudioCaptureConfig} field, plus these. */
export type CreateAudioCaptureOptions = Partial<AudioCaptureConfig> & {
  connectionManager?: AudioStreamTarget;
  callbacks?: AudioCaptureCallbacks;
};

/**
 * The design's `create_audio_capture`: a manager with the given settings (24 kHz, VAD off by default),
 * already initialized.
 * @throws NoDeviceError when no input device can be opened
 */
export function createAudioCapture(options: CreateAudioCaptureOptions = {}): AudioCaptureManager {
  const { connectionManager, callbacks, ...config } = options;
  const manager = new AudioCaptureManager(config, callbacks ?? {}, connectionManager);
  manager.initialize();
  return manager;
}
