import { Writable } from 'node:stream';
import { AudioStreamBase, arrayTypeOf } from './audio-stream.js';
import { InvalidArgumentError, StreamClosedError, UnsupportedFormatError } from './errors.js';
import type { Samples, StreamOptions } from './types.js';

/** Options of {@link AudioPlayback}. */
export type PlaybackOptions = StreamOptions;

/**
 * Plays to an output device. `write()` copies into a shared ring that the native audio thread drains
 * once per period; it returns the frames accepted (fewer when the ring is full: wait for `drain`).
 * When the ring runs dry the device plays silence and the underrun is counted.
 *
 * Events: `drain` (room again after a partial write), `start`, `stop`, `close`.
 */
export class AudioPlayback extends AudioStreamBase {
  private needDrain = false;
  private emptyWaiters: (() => void)[] = [];
  private scratch: Uint8Array | undefined;

  /**
   * Opens the device (the audio thread starts with start(); write() before start() pre-fills).
   * @throws UnknownDeviceError, UnsupportedFormatError, BackendUnavailableError, InvalidArgumentError
   */
  constructor(options: PlaybackOptions = {}) {
    super('playback', options, 100);
  }

  /** Frames write() would accept now. */
  get framesWritable(): number {
    return this.ring.framesWritable();
  }

  /** Frames written and not yet handed to the device. */
  get bufferedFrames(): number {
    return this.ring.framesAvailable();
  }

  /**
   * Queues interleaved samples (`Int16Array` for 's16', `Float32Array` for 'f32', or their
   * little-endian bytes) for playback.
   * @returns frames accepted; when fewer than given, the rest was not taken: write it after `drain`
   * @throws StreamClosedError after close(); UnsupportedFormatError for the other sample type;
   * InvalidArgumentError for a partial frame
   */
  write(data: Samples | Uint8Array): number {
    if (this.state === 'closed') throw new StreamClosedError('write() after close()');
    const samples = this.toSamples(data);
    if (samples.length % this.channels !== 0) {
      throw new InvalidArgumentError(
        `${samples.length} samples is not a whole number of ${this.channels}-channel frames`,
      );
    }
    const frames = samples.length / this.channels;
    const accepted = this.ring.pushFrames(samples as never);
    if (accepted < frames) {
      this.needDrain = true;
      this.requestWake();
    }
    return accepted;
  }

  /**
   * Barge-in: drops everything written and not yet handed to the device. While running, the audio thread
   * drops it at its next period (audio written after this call is kept); when stopped, at once.
   * Pending `drained()` promises resolve once the queue is empty.
   * @returns frames that were queued when called
   * @throws StreamClosedError after close()
   */
  clear(): number {
    if (this.state === 'closed') throw new StreamClosedError('clear() after close()');
    const queued = this.ring.framesAvailable();
    if (this.state === 'running') {
      this.requestClear();
      this.requestWake();
    } else {
      // No audio thread is consuming: the ring's consumer side is free to use here.
      this.clearedWhileStopped += this.ring.clear();
      this.onWake();
    }
    return queued;
  }

  /** Resolves when everything written so far has been handed to the device (or the stream closed). */
  drained(): Promise<void> {
    if (this.ring.framesAvailable() === 0 || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      this.emptyWaiters.push(resolve);
      this.requestWake();
    });
  }

  /**
   * A Node Writable of raw PCM bytes (little-endian, in `format`) with backpressure; `end()` finishes
   * once the device has taken everything.
   */
  writable(options: { highWaterMark?: number } = {}): Writable {
    const frameBytes = this.channels * (this.format === 's16' ? 2 : 4);
    let carry = Buffer.alloc(0);
    const writeAll = (bytes: Buffer, done: (err?: Error | null) => void) => {
      let offset = 0;
      const step = () => {
        if (this.state === 'closed') {
          done(new StreamClosedError('the playback stream was closed'));
          return;
        }
        const frames = this.write(bytes.subarray(offset));
        offset += frames * frameBytes;
        if (offset >= bytes.length) done();
        else this.once('drain', step);
      };
      step();
    };
    return new Writable({
      highWaterMark: options.highWaterMark ?? this.periodFrames * frameBytes * 8,
      write: (chunk: Buffer, _enc, cb) => {
        const all = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        const whole = all.length - (all.length % frameBytes);
        carry = Buffer.from(all.subarray(whole));
        if (whole === 0) cb();
        else writeAll(all.subarray(0, whole), cb);
      },
      final: (cb) => {
        this.drained().then(() => cb(), cb);
      },
    });
  }

  protected onWake(): void {
    if (this.needDrain && this.ring.framesWritable() > 0) {
      this.needDrain = false;
      this.emit('drain');
    }
    if (this.emptyWaiters.length > 0 && this.ring.framesAvailable() === 0) this.releaseEmpty();
    if (this.needDrain || this.emptyWaiters.length > 0) this.requestWake();
  }

  protected onStopped(): void {
    if (this.state === 'closed') this.releaseEmpty();
  }

  private releaseEmpty(): void {
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const w of waiters) w();
  }

  private toSamples(data: Samples | Uint8Array): Samples {
    const Type = arrayTypeOf(this.format);
    if (data instanceof Type) return data;
    if (data instanceof Int16Array || data instanceof Float32Array) {
      throw new UnsupportedFormatError(
        `this stream's format is ${this.format}: write a ${Type.name}, not a ${data.constructor.name}`,
      );
    }
    if (!(data instanceof Uint8Array)) {
      throw new InvalidArgumentError(`write() takes a ${Type.name} or a Uint8Array/Buffer of PCM bytes`);
    }
    const size = Type.BYTES_PER_ELEMENT;
    if (data.byteLength % size !== 0) {
      throw new InvalidArgumentError(
        `${data.byteLength} bytes is not a whole number of ${size}-byte samples`,
      );
    }
    if (data.byteOffset % size === 0)
      return new Type(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength / size);
    // Unaligned bytes (a Buffer slice): copy once into a reused aligned scratch buffer.
    if (!this.scratch || this.scratch.byteLength < data.byteLength)
      this.scratch = new Uint8Array(data.byteLength);
    this.scratch.set(data);
    return new Type(this.scratch.buffer as ArrayBuffer, 0, data.byteLength / size);
  }
}
