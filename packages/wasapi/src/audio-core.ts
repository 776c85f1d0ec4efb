import { EventEmitter } from 'node:events';
import { AudioCapture } from './capture.js';
import { InvalidStateError } from './errors.js';
import { LatencyWindow } from './latency-window.js';
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

/** What {@link AudioCore.getLatencyStats} reports (ms unless named otherwise). */
export interface LatencyStats {
  /** Estimated input-to-output latency (capture device + capture ring + playback ring + playback device). */
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The latest capture-side and playback-side latency. */
  captureMs: number;
  playbackMs: number;
  /** Audio-thread-to-JS delivery, capture side, in µs. */
  deliveryP50Us: number;
  deliveryP99Us: number;
  xruns: number;
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
 * together, with latency statistics. Route audio with `core.capture.on('data')` and
 * `core.playback.write()`.
 */
export class AudioCore extends EventEmitter {
  private cap: AudioCapture | undefined;
  private play: AudioPlayback | undefined;
  private readonly window = new LatencyWindow(1024);

  /** The capture stream (after initialize()). */
  get capture(): AudioCapture {
    if (!this.cap) throw new InvalidStateError('AudioCore.initialize() has not been called');
    return this.cap;
  }

  /** The playback stream (after initialize()). */
  get playback(): AudioPlayback {
    if (!this.play) throw new InvalidStateError('AudioCore.initialize() has not been called');
    return this.play;
  }

  /**
   * Opens both devices. Either config may be `null` to skip that direction.
   * @throws InvalidStateError when already initialized; the stream constructors' errors otherwise
   */
  initialize(captureConfig: AudioCoreConfig | null = {}, playbackConfig: AudioCoreConfig | null = {}): void {
    if (this.cap || this.play) throw new InvalidStateError('AudioCore is already initialized');
    const capture = captureConfig ? new AudioCapture(toStreamOptions(captureConfig)) : undefined;
    try {
      this.play = playbackConfig ? new AudioPlayback(toStreamOptions(playbackConfig)) : undefined;
    } catch (err) {
      capture?.close();
      throw err;
    }
    this.cap = capture;
    // Sample the end-to-end estimate once per capture batch.
    const sample = () => this.sample();
    this.cap?.on('data', sample);
    this.cap?.on('readable', sample);
  }

  /** Starts capture and playback. */
  start(): void {
    if (!this.cap && !this.play) throw new InvalidStateError('AudioCore.initialize() has not been called');
    this.play?.start();
    this.cap?.start();
  }

  /** Stops both streams (they can be started again). */
  stop(): void {
    this.cap?.stop();
    this.play?.stop();
  }

  /** Closes both streams. */
  close(): void {
    this.cap?.close();
    this.play?.close();
  }

  /** Latency estimate over the recent window, plus delivery latency and xruns. */
  getLatencyStats(): LatencyStats {
    const c = this.cap?.stats();
    const p = this.play?.stats();
    const [p50, p95, p99] = this.window.percentiles([0.5, 0.95, 0.99]);
    return {
      avgMs: this.window.mean(),
      p50Ms: p50 as number,
      p95Ms: p95 as number,
      p99Ms: p99 as number,
      captureMs: c?.latencyMs ?? 0,
      playbackMs: p?.latencyMs ?? 0,
      deliveryP50Us: c?.delivery.p50Us ?? Number.NaN,
      deliveryP99Us: c?.delivery.p99Us ?? Number.NaN,
      xruns: (c?.xruns ?? 0) + (p?.xruns ?? 0),
      samples: this.window.count,
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
