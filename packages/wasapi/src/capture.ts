import { Readable } from 'node:stream';
import { type AudioFrame, floatToInt16 } from '@voxwire/codecs';
import { emitError } from '@voxwire/core';
import { AudioStreamBase, type AudioStreamEvents, arrayTypeOf } from './audio-stream.js';
import { AudioDeviceError } from './errors.js';
import type { Samples, StreamOptions } from './types.js';

/** Options of {@link AudioCapture}. */
export type CaptureOptions = StreamOptions;

/** Events of {@link AudioCapture}. */
export interface CaptureEvents extends AudioStreamEvents {
  /**
   * Everything captured since the last wake-up, as one frame (yours to keep: not borrowed). `position`
   * is the index of its first sample among those delivered since the stream started.
   */
  audio: [frame: AudioFrame];
  /** Audio waits in the ring and there is no `audio` listener: take it with `read()` or `readInto()`. */
  readable: [];
}

/**
 * Records from an input device (or, with `loopback`, what an output device plays). The native audio
 * thread writes each period into a shared ring and wakes JS once per batch; take the audio with
 * `on('audio')`, `read()` (after a `readable` event) or `for await`, as Int16 {@link AudioFrame}s
 * (`@voxwire/codecs`), or raw in the stream's format with `readInto()` and `readable()`.
 *
 * Positions count the samples delivered to JS since the stream started: periods the ring dropped because
 * JS did not read in time are not counted (see `stats().droppedFrames`).
 *
 * Events: `audio` (a frame: everything buffered since the last wake-up), `readable` (data waits and
 * there is no `audio` listener), `start`, `stop`, `close`, `error` (a device failure).
 */
export class AudioCapture extends AudioStreamBase<CaptureEvents> implements AsyncIterable<AudioFrame> {
  private readPosition = 0;
  private waiters: (() => void)[] = [];
  /** The raw floats of an f32 stream, reused across reads before conversion to Int16. */
  private floatScratch: Float32Array | undefined;

  /**
   * Opens the device (the audio thread starts with start()).
   * @throws AudioDeviceError `UNKNOWN_DEVICE`, `UNSUPPORTED_FORMAT`, `BACKEND_UNAVAILABLE`, `INVALID_ARGUMENT`
   */
  constructor(options: CaptureOptions = {}) {
    super('capture', options, 200);
  }

  /** Whole frames captured and not yet read. */
  get framesAvailable(): number {
    return this.ring.framesAvailable();
  }

  /**
   * Takes up to `maxFrames` sample frames (default: all buffered) without waiting.
   * @returns a frame (yours to keep), possibly empty; Int16 also for an `'f32'` stream (converted)
   * @throws AudioDeviceError `CLOSED` after close(); `INVALID_ARGUMENT` for a bad `maxFrames`
   */
  read(maxFrames?: number): AudioFrame {
    this.assertOpen('read');
    const available = this.ring.framesAvailable();
    let frames = available;
    if (maxFrames !== undefined) {
      if (!Number.isInteger(maxFrames) || maxFrames < 0) {
        throw new AudioDeviceError(
          'INVALID_ARGUMENT',
          `maxFrames must be a non-negative integer, got ${String(maxFrames)}`,
        );
      }
      frames = Math.min(available, maxFrames);
    }
    const position = this.readPosition;
    const data = new Int16Array(frames * this.channels);
    if (frames > 0) {
      if (this.format === 's16') this.readInto(data);
      else {
        const n = frames * this.channels;
        if (!this.floatScratch || this.floatScratch.length < n) this.floatScratch = new Float32Array(n);
        const floats = this.floatScratch.subarray(0, n);
        this.readInto(floats);
        floatToInt16(floats, data);
      }
    }
    return { data, sampleRate: this.sampleRate, channels: this.channels, position };
  }

  /**
   * Moves up to `target.length / channels` sample frames into `target`, raw in the stream's format
   * (`Int16Array` for `'s16'`, `Float32Array` for `'f32'`), without allocating.
   * @returns sample frames written to `target`
   * @throws AudioDeviceError `CLOSED` after close(); `INVALID_ARGUMENT` for the other array type
   */
  readInto(target: Samples): number {
    this.assertOpen('readInto');
    if (!(target instanceof arrayTypeOf(this.format))) {
      throw new AudioDeviceError(
        'INVALID_ARGUMENT',
        `this stream's format is ${this.format}: pass a ${arrayTypeOf(this.format).name}`,
      );
    }
    const frames = Math.min(Math.floor(target.length / this.channels), this.ring.framesAvailable());
    const n = this.ring.popFrames(target, 0, frames);
    this.readPosition += n;
    return n;
  }

  /** Iterates frames as they arrive; ends after stop() or close() once the buffer is empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<AudioFrame> {
    for (;;) {
      const frame = this.takeFrame();
      if (frame) {
        yield frame;
        continue;
      }
      if (this.state === 'closed' || this.state === 'stopped') return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * A Node Readable of raw PCM bytes (little-endian, in `format`), honouring backpressure: while the
   * Readable is full the ring fills and then drops periods (counted in stats().overruns).
   */
  readable(options: { highWaterMark?: number } = {}): Readable {
    let wanting = false;
    const Type = arrayTypeOf(this.format);
    const pull = () => {
      while (wanting && this.state !== 'closed') {
        const s = new Type(this.ring.framesAvailable() * this.channels);
        if (s.length === 0) return;
        this.readInto(s);
        wanting = stream.push(Buffer.from(s.buffer, s.byteOffset, s.byteLength));
      }
    };
    const end = () => stream.push(null);
    const stream = new Readable({
      highWaterMark: options.highWaterMark ?? this.periodFrames * this.channels * 2 * 8,
      read: () => {
        wanting = true;
        pull();
      },
      destroy: (err, cb) => {
        this.off('readable', pull);
        this.off('close', end);
        cb(err);
      },
    });
    this.on('readable', pull);
    this.once('close', end);
    return stream;
  }

  protected onWake(): void {
    if (this.listenerCount('audio') > 0) {
      const frame = this.takeFrame();
      if (frame) this.emit('audio', frame);
      return;
    }
    if (this.waiters.length > 0) {
      this.release();
      return;
    }
    if (this.ring.framesAvailable() > 0) this.emit('readable');
  }

  protected onStopped(): void {
    this.release();
  }

  protected emitLifecycle(event: 'start' | 'stop' | 'close'): void {
    this.emit(event);
  }

  protected emitFailure(error: AudioDeviceError): void {
    emitError(this, error);
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private takeFrame(): AudioFrame | null {
    if (this.state === 'closed') return null;
    const frame = this.read();
    return frame.data.length === 0 ? null : frame;
  }
}
