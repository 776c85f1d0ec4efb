import type { Vad } from '@voxwire/vad';
import type { BackendName } from '@voxwire/wasapi';
import { AudioCaptureError } from './errors.js';

/** Configuration of {@link AudioCaptureManager}: the design's `AudioCaptureConfig`, camelCased, plus extensions. */
export interface AudioCaptureConfig {
  /** Hz; 24000 is what the Realtime API takes (other rates are resampled by the connection manager). */
  sampleRate: number;
  /** 1 (mono) or 2 (interleaved stereo in `onAudioData`; mixed to mono for the Realtime API). */
  channelCount: number;
  /** Samples (per channel) per chunk: 4800 = 200 ms at 24 kHz. */
  chunkSize: number;
  /**
   * Frames the ring between the native audio thread and JS can hold before the audio thread drops periods
   * (counted in `getStats().droppedFrames`); at least 500 ms is used. Not the device period (10 ms), so it adds
   * no latency.
   */
  bufferSize: number;
  /** Index into {@link listAudioDevices}; null = the backend's default input. */
  deviceIndex: number | null;
  /** Send only speech (plus padding). */
  vadEnabled: boolean;
  /** RMS (0..1) a 20 ms frame must exceed to be speech (the energy VAD's absolute threshold). */
  vadThreshold: number;
  /**
   * A partial chunk that got no new audio for this long (paused, stalled device) is sent; 0 turns it off.
   * Steady streaming always produces full `chunkSize` chunks.
   */
  autoFlushMs: number;
  /** Extension: a device id from {@link listAudioDevices} (wins over `deviceIndex`). */
  deviceId?: string;
  /** Extension: capture backend (default: `VOXWIRE_AUDIO_BACKEND`, else the first real one available). */
  backend?: BackendName;
  /** Extension: audio kept before the speech onset and sent first (default 300 ms). */
  vadPrefixPaddingMs: number;
  /** Extension: silence that ends an utterance; it is sent as trailing padding (default 500 ms). */
  vadSilenceMs: number;
  /** Extension: a detector to use instead of the energy VAD, e.g. `await SileroVad.create()`. */
  vad?: Vad;
  /** Extension: window of the volume meter in ms (default 50). */
  volumeWindowMs: number;
}

/** The design's defaults. */
export const DEFAULT_CONFIG: Readonly<AudioCaptureConfig> = Object.freeze({
  sampleRate: 24000,
  channelCount: 1,
  chunkSize: 4800,
  bufferSize: 4096,
  deviceIndex: null,
  vadEnabled: false,
  vadThreshold: 0.02,
  autoFlushMs: 200,
  vadPrefixPaddingMs: 300,
  vadSilenceMs: 500,
  volumeWindowMs: 50,
});

function check(ok: boolean, message: string): void {
  if (!ok) throw new AudioCaptureError('INVALID_CONFIG', message);
}

const isInt = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;

/**
 * Fills in defaults and validates.
 * @throws AudioCaptureError `INVALID_CONFIG` naming the bad field
 */
export function resolveConfig(partial: Partial<AudioCaptureConfig> = {}): AudioCaptureConfig {
  const c: AudioCaptureConfig = { ...DEFAULT_CONFIG, ...partial };
  check(
    isInt(c.sampleRate, 8000) && c.sampleRate <= 192000,
    `sampleRate must be an integer 8000..192000, got ${c.sampleRate}`,
  );
  check(c.channelCount === 1 || c.channelCount === 2, `channelCount must be 1 or 2, got ${c.channelCount}`);
  check(isInt(c.chunkSize, 1), `chunkSize must be a positive integer, got ${c.chunkSize}`);
  check(isInt(c.bufferSize, 1), `bufferSize must be a positive integer, got ${c.bufferSize}`);
  check(
    c.deviceIndex === null || isInt(c.deviceIndex, 0),
    `deviceIndex must be null or an integer ≥ 0, got ${c.deviceIndex}`,
  );
  check(typeof c.vadEnabled === 'boolean', 'vadEnabled must be a boolean');
  check(c.vadThreshold > 0 && c.vadThreshold < 1, `vadThreshold must be in (0, 1), got ${c.vadThreshold}`);
  check(
    c.autoFlushMs >= 0 && Number.isFinite(c.autoFlushMs),
    `autoFlushMs must be ≥ 0, got ${c.autoFlushMs}`,
  );
  check(
    c.vadPrefixPaddingMs >= 0 && c.vadPrefixPaddingMs <= 2000,
    `vadPrefixPaddingMs must be 0..2000, got ${c.vadPrefixPaddingMs}`,
  );
  check(
    c.vadSilenceMs >= 20 && c.vadSilenceMs <= 5000,
    `vadSilenceMs must be 20..5000, got ${c.vadSilenceMs}`,
  );
  check(
    c.volumeWindowMs >= 5 && c.volumeWindowMs <= 1000,
    `volumeWindowMs must be 5..1000, got ${c.volumeWindowMs}`,
  );
  return c;
}
