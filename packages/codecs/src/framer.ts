import { AudioFormatError } from './errors.js';

/** Sample encodings a {@link Framer} can cut, mapped to the array type of their frames. */
export interface FramerArrayTypes {
  pcm16: Int16Array;
  float32: Float32Array;
  mulaw: Uint8Array;
  alaw: Uint8Array;
}

/** Encoding names understood by {@link Framer}. */
export type FramerEncoding = keyof FramerArrayTypes;

/** Options for {@link Framer}. */
export interface FramerOptions<E extends FramerEncoding> {
  /** Samples per channel in one frame, e.g. 160 for 20 ms at 8 kHz. Positive integer. */
  frameSize: number;
  /** Interleaved channels per sample frame (default 1). A frame holds `frameSize * channels` values. */
  channels?: number;
  /** Sample encoding (default `'pcm16'`); decides the array type and the silence value used for padding. */
  encoding?: E;
  /**
   * When true, {@link Framer.flush} pads a partial last frame to full size with true silence (0 for PCM,
   * `0xFF` for mu-law, `0xD5` for A-law). When false (default), flush returns the short frame as is.
   */
  padLastFrame?: boolean;
}

const SILENCE: Record<FramerEncoding, number> = { pcm16: 0, float32: 0, mulaw: 0xff, alaw: 0xd5 };

type ArrayCtor = new (length: number) => Int16Array | Float32Array | Uint8Array;
const CTORS: Record<FramerEncoding, ArrayCtor> = {
  pcm16: Int16Array,
  float32: Float32Array,
  mulaw: Uint8Array,
  alaw: Uint8Array,
};

/**
 * Cuts a stream of samples into fixed-size frames, carrying the remainder to the next push. The frames it
 * produces do not depend on how the input was chunked.
 *
 * `push(chunk)` returns fresh arrays the caller may keep. `push(chunk, onFrame)` calls `onFrame` with each
 * frame instead and allocates nothing: the frame is then a view (into the input or an internal buffer) that
 * is only valid during the callback.
 *
 * @example
 * ```ts
 * const framer = new Framer({ frameSize: 160, encoding: 'mulaw', padLastFrame: true });
 * for (const frame of framer.push(codes)) send(frame); // 160-byte frames
 * for (const frame of framer.flush()) send(frame);    // last frame padded with 0xFF
 * ```
 */
export class Framer<E extends FramerEncoding = 'pcm16'> {
  /** Values (not sample frames) per output frame: `frameSize * channels`. */
  readonly frameLength: number;
  readonly encoding: FramerEncoding;
  readonly padLastFrame: boolean;
  private readonly ctor: ArrayCtor;
  private readonly carry: FramerArrayTypes[E];
  private carried = 0;

  constructor(options: FramerOptions<E>) {
    const { frameSize, channels = 1, padLastFrame = false } = options;
    const encoding: FramerEncoding = options.encoding ?? 'pcm16';
    if (!Number.isInteger(frameSize) || frameSize <= 0) {
      throw new AudioFormatError('INVALID_FORMAT', `frameSize must be a positive integer, got ${frameSize}`);
    }
    if (!Number.isInteger(channels) || channels <= 0) {
      throw new AudioFormatError('INVALID_FORMAT', `channels must be a positive integer, got ${channels}`);
    }
    if (!(encoding in CTORS))
      throw new AudioFormatError('INVALID_FORMAT', `unknown framer encoding ${String(encoding)}`);
    this.frameLength = frameSize * channels;
    this.encoding = encoding;
    this.padLastFrame = padLastFrame;
    this.ctor = CTORS[encoding];
    this.carry = new this.ctor(this.frameLength) as FramerArrayTypes[E];
  }

  /** Values waiting for the next frame to fill. */
  get pending(): number {
    return this.carried;
  }

  /**
   * Adds samples and returns every frame completed so far (fresh arrays), or, with `onFrame`, hands each
   * frame to the callback as a short-lived view and returns an empty array.
   * @throws AudioFormatError when the chunk's array type does not match the encoding
   */
  push(chunk: FramerArrayTypes[E], onFrame?: (frame: FramerArrayTypes[E]) => void): FramerArrayTypes[E][] {
    if (!(chunk instanceof this.ctor)) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Framer(${this.encoding}) expects ${this.ctor.name}, got ${describe(chunk)}`,
      );
    }
    const L = this.frameLength;
    const frames: FramerArrayTypes[E][] = [];
    let pos = 0;
    if (this.carried > 0) {
      const take = Math.min(L - this.carried, chunk.length);
      (this.carry as Int16Array).set(chunk.subarray(0, take) as Int16Array, this.carried);
      this.carried += take;
      pos = take;
      if (this.carried < L) return frames;
      this.carried = 0;
      if (onFrame) onFrame(this.carry);
      else frames.push(this.carry.slice() as FramerArrayTypes[E]);
    }
    const whole = Math.floor((chunk.length - pos) / L);
    if (whole > 0) {
      if (onFrame) {
        for (let f = 0; f < whole; f++, pos += L)
          onFrame(chunk.subarray(pos, pos + L) as FramerArrayTypes[E]);
      } else {
        // One allocation for all the frames of this push; each frame is an independent view of it.
        const block = chunk.slice(pos, pos + whole * L);
        for (let f = 0; f < whole; f++)
          frames.push(block.subarray(f * L, (f + 1) * L) as FramerArrayTypes[E]);
        pos += whole * L;
      }
    }
    if (pos < chunk.length) {
      (this.carry as Int16Array).set(chunk.subarray(pos) as Int16Array, 0);
      this.carried = chunk.length - pos;
    }
    return frames;
  }

  /**
   * Ends the stream: returns the remaining partial frame (padded with silence when `padLastFrame`), or
   * nothing when no samples are pending. The framer is then empty and can be reused.
   */
  flush(): FramerArrayTypes[E][] {
    if (this.carried === 0) return [];
    const n = this.carried;
    this.carried = 0;
    if (!this.padLastFrame) return [this.carry.slice(0, n) as FramerArrayTypes[E]];
    const frame = new this.ctor(this.frameLength) as FramerArrayTypes[E];
    (frame as Int16Array).set(this.carry.subarray(0, n) as Int16Array);
    frame.fill(SILENCE[this.encoding], n);
    return [frame];
  }

  /** Drops pending samples. */
  reset(): void {
    this.carried = 0;
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
