/** Capture state, as in the design's `CaptureState` enum. */
export type CaptureState = 'inactive' | 'recording' | 'paused';

/**
 * Callbacks of {@link AudioCaptureManager}; every one is optional. They run on the main JS thread (the native
 * audio thread never calls JS), may call any method of the manager, and an exception thrown by one is
 * reported through `onError` instead of breaking capture.
 */
export interface AudioCaptureCallbacks {
  /** A chunk is ready: base64 PCM16LE (interleaved when `channelCount` is 2) and its RMS volume in 0..1. */
  onAudioData?: (base64Audio: string, volume: number) => void;
  /** The meter level (RMS, 0..1, every `volumeWindowMs`) changed. */
  onVolumeChange?: (volume: number) => void;
  /** Something failed (device lost, a callback threw, the connection refused audio). */
  onError?: (error: Error) => void;
  /** The state changed. */
  onStateChange?: (state: CaptureState) => void;
  /** The VAD confirmed speech (VAD enabled). */
  onVadSpeechStart?: () => void;
  /** The VAD saw the end of speech (VAD enabled); the utterance's last chunk has been sent. */
  onVadSpeechEnd?: () => void;
}
