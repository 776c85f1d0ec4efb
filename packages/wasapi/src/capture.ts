import { Readable } from 'node:stream';
import { AudioStreamBase, arrayTypeOf } from './audio-stream.js';
import { InvalidArgumentError } from './errors.js';
import type { AudioFrame, Samples, StreamOptions } from './types.js';

/** Options of {@link AudioCapture}. */
export type CaptureOptions = StreamOptions;

/**
 * Records from an input device (or, with `loopback`, what an output device plays). The native audio
 * thread writes each period into a shared ring and wakes JS once per batch; take the audio with
 * `on('data')`, `read()` (after a `readable` event) or `for await`.
 *
 * Events: `data` (AudioFrame: everything buffered since the last wake-up), `readable` (data waits and
 * there is no `data` listener), `start`, `stop`, `close`.
 */
export class AudioCapture extends AudioStreamBase implements AsyncIterable<AudioFrame> {
  private readPosition = 0;
  private waiters: (() => void)[] = [];

  /**
   * Opens the device (the audio thread starts with start()).
   * @throws UnknownDeviceError, UnsupportedFormatError, BackendUnavailableError, InvalidArgumentError
   */
  constructor(options: CaptureOptions = {}) {
    super('capture', options, 200);
  }

  /** Whole frames captured and not yet read. */
  get framesAvailable(): number {
    return this.ring.framesAvailable();
  }

  /**
   * Takes up to `maxFrames` frames (default: all buffered) without waiting.
   * @returns interleaved samples, possibly empty; the array is the caller's
   */
  read(maxFrames?: number): Samples {
    this.assertOpen('read');
    const available = this.ring.framesAvailable();
    let frames = available;
    if (maxFrames !== undefined) {
      if (!Number.isInteger(maxFrames) || maxFrames < 0) {
        throw new InvalidArgumentError(`maxFrames must be a non-negative integer, got ${String(maxFrames)}`);
      }
      frames = Math.min(available, maxFrames);
    }
    const out = new (arrayTypeOf(this.format))(frames * this.channels);
    if (frames > 0) this.readInto(out);
    return out;
  }

  /**
   * Moves up to `target.length / channels` frames into `target` (no allocation).
   * @returns frames written to `target`
   */
  readInto(target: Samples): number {
    this.assertOpen('readInto');
    if (!(target instanceof arrayTypeOf(this.format))) {
      throw new InvalidArgumentError(
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
    const pull = () => {
      while (wanting && this.state !== 'closed') {
        const s = this.read();
        if (s.length === 0) return;
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
    if (this.listenerCount('data') > 0) {
      const frame = this.takeFrame();
      if (frame) this.emit('data', frame);
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

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private takeFrame(): AudioFrame | null {
    if (this.state === 'closed') return null;
    const position = this.readPosition;
    const data = this.read();
    if (data.length === 0) return null;
    return {
      data,
      sampleRate: this.sampleRate,
      channels: this.channels,
      frames: data.length / this.channels,
      position,
    };
  }
}
