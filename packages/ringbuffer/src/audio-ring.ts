import { isIndex } from './checks.js';
import type { RingArray, RingElementArray, RingElementType } from './element-types.js';
import { RingBufferError } from './errors.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of {@link AudioRing.create}. */
export interface AudioRingCreateOptions<T extends RingElementArray> {
  /** Frames per second; stored in the header so both ends agree. */
  sampleRate: number;
  /** Interleaved channels per frame (default 1). */
  channels?: number;
  /** Frames the ring must hold; the element capacity `frames * channels` is rounded up to a power of two. */
  frames: number;
  /** Sample type (default `Float32Array`; `Int16Array` for PCM at the seams). */
  Type?: RingElementType<T>;
  /** See {@link RingBufferCreateOptions.notifyOnPush}. */
  notifyOnPush?: boolean;
}

/**
 * Interleaved audio frames on a {@link RingBuffer}: every operation moves whole frames, and the header
 * carries `{ sampleRate, channels }` so the producer and the consumer (another thread, native code) agree on
 * the format. The element-level ring is `ring`.
 */
export class AudioRing<T extends RingElementArray = Float32Array> {
  /** The element ring underneath (for counters, `sab`, `waitForRead`). */
  readonly ring: RingBuffer<T>;
  readonly sampleRate: number;
  readonly channels: number;
  /** Whole frames the ring can hold. */
  readonly capacityFrames: number;

  /**
   * Allocates a new audio ring.
   * @throws RingBufferError `INVALID_ARGUMENT` for a non-positive sampleRate/channels/frames
   */
  static create<T extends RingElementArray = Float32Array>(options: AudioRingCreateOptions<T>): AudioRing<T> {
    const channels = options.channels ?? 1;
    const { sampleRate, frames } = options;
    if (!isIndex(sampleRate) || sampleRate < 1) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `sampleRate must be a positive integer, got ${String(sampleRate)}`,
      );
    }
    if (!isIndex(channels) || channels < 1 || channels > 0xffff) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `channels must be an integer in [1, 65535], got ${String(channels)}`,
      );
    }
    if (!isIndex(frames) || frames < 1) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `frames must be a positive integer, got ${String(frames)}`,
      );
    }
    const Type = options.Type ?? (Float32Array as unknown as RingElementType<T>);
    const ring = RingBuffer.create(frames * channels, Type, {
      channels,
      sampleRate,
      notifyOnPush: options.notifyOnPush,
    });
    return new AudioRing(ring.sab, Type, ring);
  }

  /**
   * Attaches to an audio ring's memory; sampleRate and channels come from the header.
   * @throws RingBufferError as {@link RingBuffer}'s constructor, or `INVALID_ARGUMENT` when the header has no
   * audio format (a plain ring)
   */
  constructor(
    sab: SharedArrayBuffer | ArrayBuffer,
    Type: RingElementType<T> = Float32Array as unknown as RingElementType<T>,
    ring?: RingBuffer<T>,
  ) {
    this.ring = ring ?? new RingBuffer(sab, Type);
    if (this.ring.channels < 1 || this.ring.sampleRate < 1) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `ring header has channels=${this.ring.channels} sampleRate=${this.ring.sampleRate}: not an audio ring`,
      );
    }
    this.sampleRate = this.ring.sampleRate;
    this.channels = this.ring.channels;
    this.capacityFrames = Math.floor(this.ring.capacity / this.channels);
  }

  /** The shared memory to hand to the other side. */
  get sab(): SharedArrayBuffer | ArrayBuffer {
    return this.ring.sab;
  }

  /** Whole frames readable now. */
  framesAvailable(): number {
    return Math.floor(this.ring.availableRead() / this.channels);
  }

  /** Whole frames writable now. */
  framesWritable(): number {
    return Math.floor(this.ring.availableWrite() / this.channels);
  }

  /**
   * Producer: writes up to `frames` interleaved frames of `src` starting at frame `frameOffset`.
   * @returns frames written (fewer when full: counted as an overrun)
   * @throws RingBufferError `INVALID_ARGUMENT` when `src` does not hold whole frames or the span is out of range
   */
  pushFrames(src: RingArray<T>, frameOffset?: number, frames?: number): number {
    const [off, len] = this.span(src, frameOffset, frames);
    return this.ring.write(src, off, len, this.channels) / this.channels;
  }

  /** Consumer: moves up to `frames` frames into `dst` from frame `frameOffset`. @returns frames read */
  popFrames(dst: RingArray<T>, frameOffset?: number, frames?: number): number {
    const [off, len] = this.span(dst, frameOffset, frames);
    return this.ring.read(dst, off, len, this.channels, true) / this.channels;
  }

  /** Consumer: copies up to `frames` frames without consuming them. @returns frames copied */
  peekFrames(dst: RingArray<T>, frameOffset?: number, frames?: number): number {
    const [off, len] = this.span(dst, frameOffset, frames);
    return this.ring.read(dst, off, len, this.channels, false) / this.channels;
  }

  /** Consumer: drops up to `frames` whole frames. @returns frames dropped */
  skipFrames(frames: number): number {
    if (!isIndex(frames)) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `frames must be a non-negative integer, got ${String(frames)}`,
      );
    }
    const n = Math.min(frames, this.framesAvailable());
    return this.ring.skip(n * this.channels) / this.channels;
  }

  /** Consumer: drops everything readable. @returns frames dropped */
  clear(): number {
    return this.ring.clear() / this.channels;
  }

  private readonly spanOut: [number, number] = [0, 0];

  private span(
    arr: RingArray<T>,
    frameOffset: number | undefined,
    frames: number | undefined,
  ): [number, number] {
    const ring = this.ring;
    if (!(arr instanceof ring.Type)) {
      throw new RingBufferError('TYPE_MISMATCH', `this ring holds ${ring.Type.name}`);
    }
    const ch = this.channels;
    const total = arr.length / ch;
    if (frames === undefined && !Number.isInteger(total)) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `array of ${arr.length} samples is not a whole number of ${ch}-channel frames`,
      );
    }
    const fOff = frameOffset === undefined ? 0 : frameOffset;
    const maxFrames = Math.floor(total);
    if (!isIndex(fOff) || fOff > maxFrames) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `frameOffset must be an integer in [0, ${maxFrames}], got ${String(fOff)}`,
      );
    }
    const n = frames === undefined ? maxFrames - fOff : frames;
    if (!isIndex(n) || fOff + n > maxFrames) {
      throw new RingBufferError(
        'INVALID_ARGUMENT',
        `frames must be an integer in [0, ${maxFrames - fOff}], got ${String(n)}`,
      );
    }
    this.spanOut[0] = fOff * ch;
    this.spanOut[1] = n * ch;
    return this.spanOut;
  }
}
