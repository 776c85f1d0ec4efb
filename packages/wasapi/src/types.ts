/** Audio backends the addon can be built with. */
export type BackendName = 'wasapi' | 'pulse' | 'alsa' | 'null';

/**
 * Sample formats between the audio thread and JS: 16-bit signed PCM (`Int16Array`) or 32-bit float
 * (`Float32Array`). Frames (`audio` events, `read()`, `write()`) are always Int16 `AudioFrame`s; an `'f32'`
 * stream converts at that seam, and its raw floats are reachable through `readInto()`, `readable()` and
 * `writable()`.
 */
export type SampleFormat = 's16' | 'f32';

/** Interleaved samples in the stream's format (the raw ring contents). */
export type Samples = Int16Array | Float32Array;

/** Direction of a device. */
export type DeviceKind = 'input' | 'output';

/** An audio endpoint. */
export interface AudioDevice {
  /** Backend-specific id to pass as `deviceId` (WASAPI endpoint id, PulseAudio name, `null:…`). */
  id: string;
  /** Human-readable name. */
  name: string;
  kind: DeviceKind;
  /** Whether it is the backend's current default for its kind. */
  isDefault: boolean;
  /** An input that records what an output plays (PulseAudio monitor source). */
  isMonitor: boolean;
  /** The device's native rate and channels (0 when unknown). */
  sampleRate: number;
  channels: number;
  backend: BackendName;
}

/** Options shared by {@link AudioCapture} and {@link AudioPlayback}. */
export interface StreamOptions {
  /** Device id from {@link listDevices}; default: the backend's default device. */
  deviceId?: string;
  /** Frames per second (default 48000). */
  sampleRate?: number;
  /** Interleaved channels (default 1). */
  channels?: number;
  /** Sample format at the JS side (default `'s16'`, `Int16Array`). */
  format?: SampleFormat;
  /** Device period in milliseconds (default 10). */
  periodMs?: number;
  /** Shared (mixed by the OS, default) or exclusive device access (WASAPI). */
  mode?: 'shared' | 'exclusive';
  /** Capture what an output device plays (WASAPI loopback; PulseAudio: the sink's monitor). */
  loopback?: boolean;
  /** Backend to use; default `VOXWIRE_AUDIO_BACKEND` or the first available real backend. */
  backend?: BackendName;
  /**
   * Ring size between the audio thread and JS in milliseconds (default 200 for capture, 100 for
   * playback). A full capture ring drops the newest period (counted as an overrun); a playback ring
   * bounds how much `write()` accepts before `drain`.
   */
  bufferMs?: number;
  /** Whether a running stream keeps the event loop alive, like a socket (default true). */
  keepAlive?: boolean;
  /**
   * How the audio thread wakes JS: `'uv'` (default, one coalesced uv_async per batch), `'tsfn'`
   * (ThreadSafeFunction, coalesced) or `'tsfn-per-buffer'` (one call per buffer; benchmark baseline).
   */
  notify?: 'uv' | 'tsfn' | 'tsfn-per-buffer';
}

/** Delivery latency from the audio thread to the JS callback, over the last 4096 wake-ups. */
export interface DeliveryStats {
  /** Wake-ups in the window (at most 4096). */
  count: number;
  /** Median delivery latency in µs; `undefined` before the first wake-up. */
  p50Us: number | undefined;
  /** 99th percentile in µs; `undefined` before the first wake-up. */
  p99Us: number | undefined;
  /** Largest in the window, in µs; `undefined` before the first wake-up. */
  maxUs: number | undefined;
}

/** What {@link AudioCapture.stats} and {@link AudioPlayback.stats} report. */
export interface StreamStats {
  state: StreamState;
  backend: BackendName;
  deviceId: string;
  sampleRate: number;
  channels: number;
  format: SampleFormat;
  periodFrames: number;
  /** Device periods processed by the audio thread. */
  periods: number;
  /** Frames moved by the device since start (the stream position). */
  position: number;
  /** Capture overruns (ring full, period dropped) + playback underruns (ring ran dry) + device xruns. */
  xruns: number;
  /** Capture: pushes that found the ring full (ring header counter). */
  overruns: number;
  /** Playback: times the ring ran dry while audio was flowing (ring header counter). */
  underruns: number;
  /** Capture: frames dropped because JS did not read in time. */
  droppedFrames: number;
  /** Playback: frames of silence played because nothing was written. */
  silenceFrames: number;
  /** Playback: frames written and then dropped unplayed by `clear()`. */
  clearedFrames: number;
  /** Frames waiting in the ring now. */
  bufferedFrames: number;
  /** Latency the device/server reports, in ms. */
  deviceLatencyMs: number;
  /** Measured latency: device latency plus what waits in the ring, in ms. */
  latencyMs: number;
  delivery: DeliveryStats;
  /** The wake-up mechanism in use. */
  notify: 'uv' | 'tsfn' | 'tsfn-per-buffer' | 'closed';
  /**
   * How the backend opened the device, when it has something to say (WASAPI: the initialisation path
   * taken and why others were not, re-routes after a default-device change); otherwise empty.
   */
  route: string;
}

/** Life cycle of a stream. */
export type StreamState = 'idle' | 'running' | 'stopped' | 'closed';
