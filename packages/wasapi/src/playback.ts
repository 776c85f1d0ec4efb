import { Writable } from 'node:stream';
import { type AudioFrame, int16ToFloat } from '@voxwire/codecs';
import { emitError } from '@voxwire/core';
import { AudioStreamBase, type AudioStreamEvents, arrayTypeOf } from './audio-stream.js';
import { AudioDeviceError } from './errors.js';
import type { Samples, StreamOptions } from './types.js';

/** Options of {@link AudioPlayback}. */
export type PlaybackOptions = StreamOptions;

/** Events of {@link AudioPlayback}. */
export interface PlaybackEvents extends AudioStreamEvents {
  /** Room again after a partial `write()`. */
  drain: [];
}

/**
 * Plays to an output device. `write(frame)` copies an {@link AudioFrame} (`@voxwire/codecs`) into a
 * shared ring that the native audio thread drains once per period; it returns the sample frames accepted
 * (fewer when the ring is full: wait for `drain`). When the ring runs dry the device plays silence and the
 * underrun is counted. `writable()` takes raw PCM bytes in the stream's format instead.
 *
 * Events: `drain` (room again after a partial write), `start`, `stop`, `close`, `error` (a device failure).
 */
export class AudioPlayback extends AudioStreamBase<PlaybackEvents> {
  private needDrain = false;
  private emptyWaiters: (() => void)[] = [];
  private scratch: Uint8Array | undefined;
  /** An f32 stream's conversion buffer, reused across writes. */
  private floatScratch: Float32Array | undefined;

  /**
   * Opens the device (the audio thread starts with start(); write() before start() pre-fills).
   * @throws AudioDeviceError `UNKNOWN_DEVICE`, `UNSUPPORTED_FORMAT`, `BACKEND_UNAVAILABLE`, `INVALID_ARGUMENT`
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
   * Queues a frame for playback (it may be borrowed: its samples are copied before `write` returns). The
   * frame must have the stream's `sampleRate` and `channels`; an `'f32'` stream converts it. Its
   * `position` is not consulted: frames play in the order written.
   * @returns sample frames accepted; when fewer than given, the rest was not taken: write it after `drain`
   * @throws AudioDeviceError `CLOSED` after close(); `UNSUPPORTED_FORMAT` for another rate or channel count;
   * `INVALID_ARGUMENT` for anything but an AudioFrame of Int16 samples, or a partial sample frame
   */
  write(frame: AudioFrame): number {
    if (this.state === 'closed') throw new AudioDeviceError('CLOSED', 'write() after close()');
    const data = (frame as Partial<AudioFrame> | null)?.data;
    if (!(data instanceof Int16Array)) {
      throw new AudioDeviceError(
        'INVALID_ARGUMENT',
        'write() takes an AudioFrame of Int16 samples (build one with audioFrame() from @voxwire/codecs)',
      );
    }
    if (frame.sampleRate !== this.sampleRate || frame.channels !== this.channels) {
      throw new AudioDeviceError(
        'UNSUPPORTED_FORMAT',
        `this stream plays ${this.sampleRate} Hz ${this.channels}-channel audio, got a ${frame.sampleRate} Hz ${frame.channels}-channel frame`,
      );
    }
    if (this.format === 's16') return this.writeSamples(data);
    if (!this.floatScratch || this.floatScratch.length < data.length)
      this.floatScratch = new Float32Array(data.length);
    return this.writeSamples(int16ToFloat(data, this.floatScratch));
  }

  /** Pushes interleaved samples of the stream's type; counts a partial write for `drain`. */
  private writeSamples(samples: Samples): number {
    if (samples.length % this.channels !== 0) {
      throw new AudioDeviceError(
        'INVALID_ARGUMENT',
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
   * @throws AudioDeviceError `CLOSED` after close()
   */
  clear(): number {
    if (this.state === 'closed') throw new AudioDeviceError('CLOSED', 'clear() after close()');
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
          done(new AudioDeviceError('CLOSED', 'the playback stream was closed'));
          return;
        }
        const frames = this.writeSamples(this.toSamples(bytes.subarray(offset)));
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

  protected emitLifecycle(event: 'start' | 'stop' | 'close'): void {
    this.emit(event);
  }

  protected emitFailure(error: AudioDeviceError): void {
    emitError(this, error);
  }

  private releaseEmpty(): void {
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const w of waiters) w();
  }

  /** Raw PCM bytes in the stream's format as samples: a view when aligned, else a copy in a reused buffer. */
  private toSamples(data: Uint8Array): Samples {
    const Type = arrayTypeOf(this.format);
    const size = Type.BYTES_PER_ELEMENT;
    if (data.byteLength % size !== 0) {
      throw new AudioDeviceError(
        'INVALID_ARGUMENT',
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
