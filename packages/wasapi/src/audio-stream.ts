import { EventEmitter } from 'node:events';
import { type AsyncCloseable, LatencyWindow } from '@voxwire/core';
import { AudioRing, RingBuffer } from '@voxwire/ringbuffer';
import { resolveBackend } from './devices.js';
import { AudioDeviceError, native } from './errors.js';
import { loadBinding, type NativeStream } from './native.js';
import type { BackendName, SampleFormat, Samples, StreamOptions, StreamState, StreamStats } from './types.js';

/** Options after validation and defaults. */
export interface ResolvedOptions {
  backend: BackendName;
  deviceId: string | undefined;
  sampleRate: number;
  channels: number;
  format: SampleFormat;
  periodFrames: number;
  mode: 'shared' | 'exclusive';
  loopback: boolean;
  bufferFrames: number;
  keepAlive: boolean;
  notify: 'uv' | 'tsfn' | 'tsfn-per-buffer';
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Validates options; errors name the option and the accepted range. */
export function resolveOptions(options: StreamOptions, defaultBufferMs: number): ResolvedOptions {
  if (options === null || typeof options !== 'object')
    throw new AudioDeviceError('INVALID_ARGUMENT', 'options must be an object');
  const sampleRate = options.sampleRate ?? 48000;
  if (!isPositiveInteger(sampleRate)) {
    throw new AudioDeviceError(
      'UNSUPPORTED_FORMAT',
      `sampleRate must be a positive integer (Hz), got ${String(sampleRate)}`,
    );
  }
  const channels = options.channels ?? 1;
  if (!isPositiveInteger(channels) || channels > 32) {
    throw new AudioDeviceError(
      'UNSUPPORTED_FORMAT',
      `channels must be an integer in 1..32, got ${String(channels)}`,
    );
  }
  const format = options.format ?? 's16';
  if (format !== 's16' && format !== 'f32') {
    throw new AudioDeviceError('UNSUPPORTED_FORMAT', `format must be 's16' or 'f32', got ${String(format)}`);
  }
  const periodMs = options.periodMs ?? 10;
  if (typeof periodMs !== 'number' || !(periodMs >= 1 && periodMs <= 1000)) {
    throw new AudioDeviceError(
      'INVALID_ARGUMENT',
      `periodMs must be a number in 1..1000, got ${String(periodMs)}`,
    );
  }
  const mode = options.mode ?? 'shared';
  if (mode !== 'shared' && mode !== 'exclusive') {
    throw new AudioDeviceError(
      'INVALID_ARGUMENT',
      `mode must be 'shared' or 'exclusive', got ${String(mode)}`,
    );
  }
  if (options.deviceId !== undefined && (typeof options.deviceId !== 'string' || options.deviceId === '')) {
    throw new AudioDeviceError('INVALID_ARGUMENT', 'deviceId must be a non-empty string');
  }
  const periodFrames = Math.max(1, Math.round((sampleRate * periodMs) / 1000));
  const bufferMs = options.bufferMs ?? defaultBufferMs;
  if (typeof bufferMs !== 'number' || !(bufferMs >= periodMs * 2 && bufferMs <= 60_000)) {
    throw new AudioDeviceError(
      'INVALID_ARGUMENT',
      `bufferMs must be at least two periods (${periodMs * 2} ms) and at most 60000, got ${String(bufferMs)}`,
    );
  }
  const notify = options.notify ?? 'uv';
  if (notify !== 'uv' && notify !== 'tsfn' && notify !== 'tsfn-per-buffer') {
    throw new AudioDeviceError(
      'INVALID_ARGUMENT',
      `notify must be 'uv', 'tsfn' or 'tsfn-per-buffer', got ${String(notify)}`,
    );
  }
  return {
    backend: resolveBackend(options.backend),
    deviceId: options.deviceId,
    sampleRate,
    channels,
    format,
    periodFrames,
    mode,
    loopback: options.loopback === true,
    bufferFrames: Math.ceil((sampleRate * bufferMs) / 1000),
    keepAlive: options.keepAlive ?? true,
    notify,
  };
}

/** The typed-array constructor for a format. */
export function arrayTypeOf(format: SampleFormat): Int16ArrayConstructor | Float32ArrayConstructor {
  return format === 's16' ? Int16Array : Float32Array;
}

/** Events every stream emits (capture and playback add their own). */
export interface AudioStreamEvents {
  /** The audio thread started. */
  start: [];
  /** The audio thread stopped (`stop()`); `start()` resumes. */
  stop: [];
  /** The device was released (`close()`). */
  close: [];
  /** The device or audio server failed while the stream was open (`DEVICE_ERROR`). */
  error: [error: AudioDeviceError];
}

/**
 * What capture and playback share: option handling, the ring, the native stream, the state machine
 * and statistics. Subclasses react to wake-ups from the audio thread in {@link AudioStreamBase.onWake}
 * and emit the shared events through {@link AudioStreamBase.emitLifecycle}, typed by their own event map.
 */
export abstract class AudioStreamBase<Events extends AudioStreamEvents & Record<keyof Events, unknown[]>>
  extends EventEmitter<Events>
  implements AsyncCloseable
{
  readonly sampleRate: number;
  readonly channels: number;
  readonly format: SampleFormat;
  /** Frames per device period. */
  readonly periodFrames: number;
  readonly backend: BackendName;
  private openedDeviceId: string;

  protected readonly ring: AudioRing<Samples>;
  protected readonly options: ResolvedOptions;
  private readonly handle: NativeStream;
  private readonly delivery = new LatencyWindow(4096);
  // The addon holds this function weakly while the stream is not running (so that an abandoned,
  // stopped stream can be collected); this field keeps it alive as long as the stream object.
  private readonly wakeFn = (deliveryNs: number): void => this.wake(deliveryNs);
  private streamState: StreamState = 'idle';
  private failed = false;
  private closing: Promise<void> | undefined;

  protected constructor(direction: 'capture' | 'playback', options: StreamOptions, defaultBufferMs: number) {
    super();
    const o = resolveOptions(options, defaultBufferMs);
    this.options = o;
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.format = o.format;
    this.periodFrames = o.periodFrames;
    this.backend = o.backend;
    const Type = arrayTypeOf(o.format) as unknown as typeof Int16Array;
    const elements = Math.max(o.bufferFrames, o.periodFrames * 2) * o.channels;
    // Producer scratch only helps a JS producer (playback); the native producer of a capture ring ignores it.
    const ring = RingBuffer.create(elements, Type, {
      sampleRate: o.sampleRate,
      channels: o.channels,
      producerScratch: direction === 'capture' ? 0 : undefined,
    });
    this.ring = new AudioRing(ring.sab, Type, ring) as unknown as AudioRing<Samples>;
    const binding = loadBinding();
    this.handle = native(
      () =>
        new binding.NativeStream(
          {
            direction,
            backend: o.backend,
            deviceId: o.deviceId,
            sampleRate: o.sampleRate,
            channels: o.channels,
            format: o.format,
            periodFrames: o.periodFrames,
            mode: o.mode,
            loopback: o.loopback,
            notify: o.notify,
          },
          new Uint8Array(this.ring.sab),
          this.wakeFn,
        ),
    );
    this.handle.setRef(o.keepAlive, false);
    this.openedDeviceId = this.handle.stats().deviceId;
  }

  /**
   * The device the stream plays to / records from now: the one opened, or the new default after a
   * default-device change moved a stream opened on the default (PulseAudio, WASAPI re-route).
   */
  get deviceId(): string {
    if (this.streamState !== 'closed') this.openedDeviceId = this.handle.stats().deviceId;
    return this.openedDeviceId;
  }

  /** `idle` (opened, never started), `running`, `stopped` or `closed`. */
  get state(): StreamState {
    return this.streamState;
  }

  /**
   * Starts the device's audio thread.
   * @throws AudioDeviceError `INVALID_STATE` when already running; `CLOSED` after close()
   */
  start(): this {
    this.assertOpen('start');
    if (this.streamState === 'running')
      throw new AudioDeviceError('INVALID_STATE', 'the stream is already started');
    native(() => this.handle.start());
    this.handle.setRef(this.options.keepAlive, true);
    this.streamState = 'running';
    this.emitLifecycle('start');
    return this;
  }

  /** Pauses the audio thread; start() resumes (this does not release the device: close() does). Idempotent while open. */
  stop(): void {
    this.assertOpen('stop');
    if (this.streamState !== 'running') return;
    this.handle.stop();
    this.streamState = 'stopped';
    this.onStopped();
    this.emitLifecycle('stop');
  }

  /**
   * Stops and releases the device; every later call throws `CLOSED`. The stream is closed when this
   * returns (`state === 'closed'`); the promise resolves once released. Idempotent: later calls return the
   * first call's promise.
   */
  close(): Promise<void> {
    this.closing ??= this.releaseDevice();
    return this.closing;
  }

  /** `await using stream = new AudioCapture(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async releaseDevice(): Promise<void> {
    this.handle.close();
    this.streamState = 'closed';
    this.onStopped();
    this.emitLifecycle('close');
  }

  /** Whether a running stream keeps the event loop alive (default true, like a socket). */
  ref(): this {
    this.options.keepAlive = true;
    if (this.streamState !== 'closed') this.handle.setRef(true, this.streamState === 'running');
    return this;
  }

  /** Lets the process exit while this stream runs (like `timer.unref()`). */
  unref(): this {
    this.options.keepAlive = false;
    if (this.streamState !== 'closed') this.handle.setRef(false, false);
    return this;
  }

  /** Counters, measured latency and delivery latency of the stream. */
  stats(): StreamStats {
    const n = this.handle.stats();
    const buffered = this.ring.framesAvailable();
    const deviceLatencyMs = (n.deviceLatencyNs ?? 0) / 1e6;
    const [p50, p99, max] = this.delivery.percentiles([0.5, 0.99, 1]);
    const us = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1000);
    return {
      state: this.streamState,
      backend: this.backend,
      deviceId: n.deviceId ?? this.openedDeviceId,
      sampleRate: this.sampleRate,
      channels: this.channels,
      format: this.format,
      periodFrames: this.periodFrames,
      periods: n.periods ?? 0,
      position: n.frames ?? 0,
      xruns: (n.xruns ?? 0) + (n.deviceXruns ?? 0),
      overruns: this.ring.ring.overruns,
      underruns: this.ring.ring.underruns,
      droppedFrames: n.droppedFrames ?? 0,
      silenceFrames: n.silenceFrames ?? 0,
      clearedFrames: (n.clearedFrames ?? 0) + this.clearedWhileStopped,
      bufferedFrames: buffered,
      deviceLatencyMs,
      latencyMs: deviceLatencyMs + (buffered * 1000) / this.sampleRate,
      delivery: { count: this.delivery.size, p50Us: us(p50), p99Us: us(p99), maxUs: us(max) },
      notify: this.streamState === 'closed' ? 'closed' : n.notify,
      route: n.route ?? '',
    };
  }

  protected assertOpen(what: string): void {
    if (this.streamState === 'closed') throw new AudioDeviceError('CLOSED', `${what}() after close()`);
  }

  /** Ask the audio thread for a wake-up after its next period (playback). */
  protected requestWake(): void {
    this.handle.requestWake();
  }

  /** Frames dropped by clear() while no audio thread ran (the native counter covers the rest). */
  protected clearedWhileStopped = 0;

  /** Asks the audio thread to drop what was written so far (playback). */
  protected requestClear(): void {
    this.handle.requestClear();
  }

  /** Called on the JS thread once per batch of periods. */
  protected abstract onWake(): void;
  /** Called after stop() and close(). */
  protected abstract onStopped(): void;
  /**
   * Emits a shared event through the subclass's typed emitter (Node's typed `emit` cannot be called on
   * the still-generic event map here).
   */
  protected abstract emitLifecycle(event: 'start' | 'stop' | 'close'): void;
  /** Reports a device failure as `error` (through `emitError` from @voxwire/core: a process warning when nobody listens). */
  protected abstract emitFailure(error: AudioDeviceError): void;

  private wake(deliveryNs: number): void {
    if (this.streamState === 'closed') return;
    this.delivery.add(deliveryNs);
    const failure = this.failed ? undefined : this.handle.failure();
    if (failure !== undefined) {
      this.failed = true;
      this.emitFailure(new AudioDeviceError('DEVICE_ERROR', failure));
    }
    // A listener that throws here surfaces as an uncaught exception, as from any event emitter.
    this.onWake();
  }
}
