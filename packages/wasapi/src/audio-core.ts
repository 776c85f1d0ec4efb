import { type AsyncCloseable, LatencyWindow } from '@voxwire/core';
import { AudioCapture } from './capture.js';
import { AudioDeviceError } from './errors.js';
import { AudioPlayback } from './playback.js';
import type { StreamOptions } from './types.js';

/**
 * OpenClaw's `AudioConfig`: stream options plus `blockSize` (frames per period, e.g. 480 = 10 ms at
 * 48 kHz) and `latency` ('low' = 10 ms periods, 'high' = 20 ms) when `periodMs` is not given.
 */
export interface AudioCoreConfig extends StreamOptions {
  blockSize?: number;
  latency?: 'low' | 'high';
}

/**
 * What {@link AudioCore.getLatencyStats} reports (ms unless named otherwise). The window statistics are
 * `undefined` before the first capture batch.
 */
export interface LatencyStats {
  /** Estimated input-to-output latency (capture device + capture ring + playback ring + playback device). */
  avgMs: number | undefined;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  /** The latest capture-side and playback-side latency. */
  captureMs: number;
  playbackMs: number;
  /** Audio-thread-to-JS delivery, capture side, in µs (`undefined` before the first wake-up). */
  deliveryP50Us: number | undefined;
  deliveryP99Us: number | undefined;
  xruns: number;
  /** Estimates in the window. */
  samples: number;
}

function toStreamOptions(config: AudioCoreConfig): StreamOptions {
  const { blockSize, latency, ...rest } = config;
  const rate = rest.sampleRate ?? 48000;
  if (rest.periodMs === undefined) {
    if (blockSize !== undefined) rest.periodMs = (blockSize * 1000) / rate;
    else if (latency === 'high') rest.periodMs = 20;
  }
  return rest;
}

/**
 * The OpenClaw audio core: a capture and a playback stream opened together, started and stopped
 * together, closed together, with latency statistics. Route audio with `core.capture.on('audio')` and
 * `core.playback.write(frame)`.
 */
export class AudioCore implements AsyncCloseable {
  private cap: AudioCapture | undefined;
  private play: AudioPlayback | undefined;
  private readonly window = new LatencyWindow(1024);

  /** The capture stream (after initialize()). */
  get capture(): AudioCapture {
    if (!this.cap) throw new AudioDeviceError('INVALID_STATE', 'AudioCore.initialize() has not been called');
    return this.cap;
  }

  /** The playback stream (after initialize()). */
  get playback(): AudioPlayback {
    if (!this.play) throw new AudioDeviceError('INVALID_STATE', 'AudioCore.initialize() has not been called');
    return this.play;
  }

  /**
   * Opens both devices. Either config may be `null` to skip that direction.
   * @throws AudioDeviceError `INVALID_STATE` when already initialized; the stream constructors' errors otherwise
   */
  initialize(captureConfig: AudioCoreConfig | null = {}, playbackConfig: AudioCoreConfig | null = {}): void {
    if (this.cap || this.play)
      throw new AudioDeviceError('INVALID_STATE', 'AudioCore is already initialized');
    const capture = captureConfig ? new AudioCapture(toStreamOptions(captureConfig)) : undefined;
    try {
      this.play = playbackConfig ? new AudioPlayback(toStreamOptions(playbackConfig)) : undefined;
    } catch (err) {
      void capture?.close(); // released synchronously; nothing to wait for before rethrowing
      throw err;
    }
    this.cap = capture;
    // Sample the end-to-end estimate once per capture batch.
    const sample = () => this.sample();
    this.cap?.on('audio', sample);
    this.cap?.on('readable', sample);
  }

  /** Starts capture and playback. */
  start(): void {
    if (!this.cap && !this.play)
      throw new AudioDeviceError('INVALID_STATE', 'AudioCore.initialize() has not been called');
    this.play?.start();
    this.cap?.start();
  }

  /** Pauses both streams (start() resumes; close() releases them). */
  stop(): void {
    this.cap?.stop();
    this.play?.stop();
  }

  /** Closes both streams. Idempotent; resolves once both are released. */
  async close(): Promise<void> {
    await Promise.all([this.cap?.close(), this.play?.close()]);
  }

  /** `await using core = new AudioCore()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Latency estimate over the recent window, plus delivery latency and xruns. */
  getLatencyStats(): LatencyStats {
    const c = this.cap?.stats();
    const p = this.play?.stats();
    const [p50, p95, p99] = this.window.percentiles([0.5, 0.95, 0.99]);
    return {
      avgMs: this.window.mean(),
      p50Ms: p50,
      p95Ms: p95,
      p99Ms: p99,
      captureMs: c?.latencyMs ?? 0,
      playbackMs: p?.latencyMs ?? 0,
      deliveryP50Us: c?.delivery.p50Us,
      deliveryP99Us: c?.delivery.p99Us,
      xruns: (c?.xruns ?? 0) + (p?.xruns ?? 0),
      samples: this.window.size,
    };
  }

  private sample(): void {
    const c = this.cap
      ? this.cap.stats().deviceLatencyMs + (this.cap.framesAvailable * 1000) / this.cap.sampleRate
      : 0;
    const p = this.play ? this.play.stats().latencyMs : 0;
    this.window.add(c + p);
  }
}
