import { AudioFormatError } from './errors.js';

/**
 * Uncompressed audio at every voxwire seam: interleaved signed 16-bit PCM with its format and its place
 * in the stream. Every audio event and method in every voxwire package takes or gives this (or an
 * {@link EncodedFrame} where the bytes need not be decoded).
 *
 * Ownership: the receiver owns `data` unless the event's documentation says the frame is *borrowed*
 * (a reused buffer, valid only until the listener returns; copy it with `data.slice()` to keep it).
 */
export interface AudioFrame {
  /** Interleaved samples: `data.length === samples * channels`. */
  readonly data: Int16Array;
  /** Samples per second per channel. */
  readonly sampleRate: number;
  /** Interleaved channels (1 = mono). */
  readonly channels: number;
  /** Index of this frame's first sample (per channel) since the stream began: its time is position / sampleRate. */
  readonly position: number;
}

/** Codecs an {@link EncodedFrame} can carry. */
export type EncodedCodec = 'pcmu' | 'pcma' | 'opus';

/**
 * Compressed audio passed through without decoding: G.711 bytes from a phone call going to a model
 * that speaks G.711, or one Opus packet.
 */
export interface EncodedFrame {
  /** The codec of `data`. */
  readonly codec: EncodedCodec;
  /** The encoded bytes (one Opus packet, or `samples` G.711 bytes per channel). */
  readonly data: Uint8Array;
  /** The decoded sample rate (8000 for G.711, 48000 for Opus). */
  readonly sampleRate: number;
  /** Channels once decoded. */
  readonly channels: number;
  /** Samples per channel once decoded: the frame's duration is samples / sampleRate. */
  readonly samples: number;
  /** Index of this frame's first sample (per channel) since the stream began. */
  readonly position: number;
}

/** Either kind of frame; tell them apart with {@link isEncodedFrame}. */
export type AnyFrame = AudioFrame | EncodedFrame;

/** Whether a frame carries encoded bytes (it has a `codec`) rather than PCM. */
export function isEncodedFrame(frame: AnyFrame): frame is EncodedFrame {
  return (frame as EncodedFrame).codec !== undefined;
}

/** Samples per channel in a frame. */
export function frameSamples(frame: AnyFrame): number {
  return isEncodedFrame(frame) ? frame.samples : frame.data.length / frame.channels;
}

/** A frame's duration in milliseconds. */
export function frameDurationMs(frame: AnyFrame): number {
  return (frameSamples(frame) * 1000) / frame.sampleRate;
}

/**
 * Builds an {@link AudioFrame}, checking that the format is usable (integer rate 1–768000 Hz, 1–32
 * channels, whole sample frames). Throws {@link AudioFormatError} `INVALID_FORMAT` otherwise.
 */
export function audioFrame(data: Int16Array, sampleRate: number, channels = 1, position = 0): AudioFrame {
  checkFormat(sampleRate, channels);
  if (data.length % channels !== 0) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `${data.length} samples is not a whole number of ${channels}-channel frames`,
    );
  }
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new AudioFormatError('INVALID_FORMAT', `position must be a non-negative integer, got ${position}`);
  }
  return { data, sampleRate, channels, position };
}

/**
 * Builds an {@link EncodedFrame}. For G.711 the rate is 8000 and `samples` is the byte count per channel
 * unless given; Opus needs `samples` (its packets do not say it without parsing the TOC).
 */
export function encodedFrame(
  codec: EncodedCodec,
  data: Uint8Array,
  options: { sampleRate?: number; channels?: number; samples?: number; position?: number } = {},
): EncodedFrame {
  const channels = options.channels ?? 1;
  const sampleRate = options.sampleRate ?? (codec === 'opus' ? 48000 : 8000);
  checkFormat(sampleRate, channels);
  const samples = options.samples ?? (codec === 'opus' ? undefined : data.length / channels);
  if (samples === undefined || !Number.isInteger(samples) || samples < 0) {
    throw new AudioFormatError('INVALID_FORMAT', `${codec} frame needs a whole sample count`);
  }
  return { codec, data, sampleRate, channels, samples, position: options.position ?? 0 };
}

function checkFormat(sampleRate: number, channels: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 768_000) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `sample rate must be an integer in 1..768000 Hz, got ${sampleRate}`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
    throw new AudioFormatError('INVALID_FORMAT', `channels must be an integer in 1..32, got ${channels}`);
  }
}
