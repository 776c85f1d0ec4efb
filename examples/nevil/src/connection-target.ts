/** A client event as the design's `send_event` takes it. */
export interface ClientEventLike {
  type: string;
  [field: string]: unknown;
}

/**
 * What {@link AudioCaptureManager} streams chunks to. {@link RealtimeConnectionManager} implements it; any
 * object with the design's `sendEvent` works too (chunks then go as `input_audio_buffer.append`, which the
 * Realtime API only accepts as 24 kHz mono PCM16).
 */
export interface AudioStreamTarget {
  /** A chunk of interleaved PCM16 at `sampleRate` (a view: copy it if kept). */
  appendAudio?(pcm: Int16Array, sampleRate: number, channels: number): void;
  /** Send anything held back (called by `flush()` and at the end of an utterance). */
  flushAudio?(): void;
  /** The local VAD saw the end of an utterance (all its audio has been appended). */
  speechEnded?(): void;
  /** The design's generic event sender. */
  sendEvent?(event: ClientEventLike): void;
}
