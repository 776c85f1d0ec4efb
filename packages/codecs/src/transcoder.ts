import { AudioFormatError } from './errors.js';
import { alaw, mulaw } from './g711.js';
import { OPUS_SAMPLE_RATES, OpusDecoder, OpusEncoder } from './opus.js';
import { Resampler, type ResamplerQuality } from './resampler.js';

/** Encodings a {@link Transcoder} converts between. */
export type TranscoderEncoding = 'pcm16' | 'mulaw' | 'alaw' | 'opus';

/**
 * The data type of each encoding at a transcoder's seams: PCM16 as samples, G.711 as one byte per sample,
 * Opus as a list of packets (`null` in the input marks a lost packet, which is concealed).
 */
export interface TranscoderData {
  pcm16: Int16Array;
  mulaw: Uint8Array;
  alaw: Uint8Array;
  opus: (Uint8Array | null)[];
}

/** One side of a transcoder. */
export interface TranscoderFormat<E extends TranscoderEncoding> {
  encoding: E;
  sampleRate: number;
  /** Interleaved channels, the same on both sides (default 1). */
  channels?: number;
}

/** Options for {@link createTranscoder}. */
export interface TranscoderOptions<F extends TranscoderEncoding, T extends TranscoderEncoding> {
  from: TranscoderFormat<F>;
  to: TranscoderFormat<T>;
  /** Resampler quality when the rates differ (default `'medium'`). */
  quality?: ResamplerQuality;
  /** Opus output: frame duration in ms (default 20). */
  opusFrameMs?: number;
  /** Opus output: bitrate in bits/s (default: libopus automatic). */
  opusBitrate?: number;
}

/** A streaming format converter: decode → resample → encode, with state carried across calls. */
export interface Transcoder<F extends TranscoderEncoding, T extends TranscoderEncoding> {
  readonly from: Readonly<Required<TranscoderFormat<F>>>;
  readonly to: Readonly<Required<TranscoderFormat<T>>>;
  /** Latency the resampling stage adds, in output samples (0 when the rates are equal). */
  readonly delaySamples: number;
  /** Converts one chunk; the result is fresh (the caller owns it). Output is independent of input chunking. */
  process(input: TranscoderData[F]): TranscoderData[T];
  /** Ends the stream: the resampler tail and, for Opus output, the last frame padded with silence. */
  flush(): TranscoderData[T];
  /** Frees native codec state (Opus); the transcoder is unusable afterwards. */
  destroy(): void;
  /** The voxwire lifecycle: {@link destroy} as an idempotent async `close()`, also `await using`. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const ENCODINGS: readonly TranscoderEncoding[] = ['pcm16', 'mulaw', 'alaw', 'opus'];

function checkFormat(
  side: string,
  f: TranscoderFormat<TranscoderEncoding>,
): Required<TranscoderFormat<TranscoderEncoding>> {
  if (!f || !ENCODINGS.includes(f.encoding)) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `${side}.encoding must be one of ${ENCODINGS.join(', ')}, got ${String(f?.encoding)}`,
    );
  }
  if (!Number.isInteger(f.sampleRate) || f.sampleRate <= 0) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `${side}.sampleRate must be a positive integer, got ${String(f.sampleRate)}`,
    );
  }
  if (f.encoding === 'opus' && !OPUS_SAMPLE_RATES.includes(f.sampleRate)) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `${side}: Opus runs at ${OPUS_SAMPLE_RATES.join(', ')} Hz, got ${f.sampleRate}`,
    );
  }
  return { encoding: f.encoding, sampleRate: f.sampleRate, channels: f.channels ?? 1 };
}

/**
 * Creates one streaming object for a format chain, e.g. Twilio mu-law 8 kHz → PCM16 24 kHz for a realtime
 * model and back, PCM16 any rate → any rate, or Opus 48 kHz ⇄ PCM16.
 *
 * @example
 * ```ts
 * const inbound = createTranscoder({ from: { encoding: 'mulaw', sampleRate: 8000 }, to: { encoding: 'pcm16', sampleRate: 24000 } });
 * const pcm24k = inbound.process(mulawBytes);
 * ```
 * @throws AudioFormatError for unknown encodings, invalid rates, or differing channel counts
 */
export function createTranscoder<F extends TranscoderEncoding, T extends TranscoderEncoding>(
  options: TranscoderOptions<F, T>,
): Transcoder<F, T> {
  const from = checkFormat('from', options?.from) as Required<TranscoderFormat<F>>;
  const to = checkFormat('to', options?.to) as Required<TranscoderFormat<T>>;
  if (from.channels !== to.channels) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `channel counts differ (${from.channels} → ${to.channels}); remix before transcoding`,
    );
  }
  return new ChainTranscoder(from, to, options) as unknown as Transcoder<F, T>;
}

class ChainTranscoder implements Transcoder<TranscoderEncoding, TranscoderEncoding> {
  readonly delaySamples: number;
  private readonly resampler: Resampler | null;
  private readonly decoder: OpusDecoder | null;
  private readonly encoder: OpusEncoder | null;
  private decoded = new Int16Array(0); // reused G.711 decode buffer

  constructor(
    readonly from: Required<TranscoderFormat<TranscoderEncoding>>,
    readonly to: Required<TranscoderFormat<TranscoderEncoding>>,
    options: TranscoderOptions<TranscoderEncoding, TranscoderEncoding>,
  ) {
    const channels = from.channels;
    this.resampler =
      from.sampleRate === to.sampleRate
        ? null
        : new Resampler({
            inputRate: from.sampleRate,
            outputRate: to.sampleRate,
            channels,
            quality: options.quality,
          });
    this.delaySamples = this.resampler?.delaySamples ?? 0;
    this.decoder =
      from.encoding === 'opus' ? new OpusDecoder({ sampleRate: from.sampleRate, channels }) : null;
    try {
      this.encoder =
        to.encoding === 'opus'
          ? new OpusEncoder({
              sampleRate: to.sampleRate,
              channels,
              frameMs: options.opusFrameMs,
              bitrate: options.opusBitrate,
            })
          : null;
    } catch (err) {
      this.decoder?.destroy();
      throw err;
    }
  }

  process(input: TranscoderData[TranscoderEncoding]): TranscoderData[TranscoderEncoding] {
    return this.encode(this.resample(this.decode(input)), false);
  }

  flush(): TranscoderData[TranscoderEncoding] {
    const tail = this.resampler ? this.resampler.flush() : new Int16Array(0);
    return this.encode(tail, true);
  }

  destroy(): void {
    this.decoder?.destroy();
    this.encoder?.destroy();
  }

  close(): Promise<void> {
    this.destroy();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** To PCM16 at the input rate; G.711 into a reused buffer (the next stage copies). */
  private decode(input: TranscoderData[TranscoderEncoding]): Int16Array {
    switch (this.from.encoding) {
      case 'pcm16':
        if (!(input instanceof Int16Array)) throw this.typeError(input, 'Int16Array');
        return input;
      case 'mulaw':
      case 'alaw': {
        if (!(input instanceof Uint8Array)) throw this.typeError(input, 'Uint8Array');
        if (this.decoded.length < input.length)
          this.decoded = new Int16Array(Math.max(input.length, 2 * this.decoded.length));
        const law = this.from.encoding === 'mulaw' ? mulaw : alaw;
        return law.decode(input, this.decoded.subarray(0, input.length));
      }
      case 'opus': {
        if (!Array.isArray(input)) throw this.typeError(input, 'an array of Opus packets');
        const frames = input.map((p) => this.decoder!.decode(p));
        if (frames.length === 1) return frames[0];
        const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
        let pos = 0;
        for (const f of frames) {
          out.set(f, pos);
          pos += f.length;
        }
        return out;
      }
    }
  }

  private resample(pcm: Int16Array): Int16Array {
    if (this.resampler) return this.resampler.process(pcm);
    // Equal rates: PCM16 output must not alias the caller's input or our reused decode buffer (encoders and
    // the Opus decoder already produce fresh arrays).
    return this.to.encoding !== 'pcm16' || this.from.encoding === 'opus' ? pcm : pcm.slice();
  }

  private encode(pcm: Int16Array, last: boolean): TranscoderData[TranscoderEncoding] {
    switch (this.to.encoding) {
      case 'pcm16':
        return pcm;
      case 'mulaw':
        return mulaw.encode(pcm);
      case 'alaw':
        return alaw.encode(pcm);
      case 'opus': {
        const packets = this.encoder!.push(pcm);
        if (last) packets.push(...this.encoder!.flush());
        return packets;
      }
    }
  }

  private typeError(input: unknown, expected: string): AudioFormatError {
    const got =
      input === null || typeof input !== 'object' ? typeof input : (input as object).constructor.name;
    return new AudioFormatError(
      'INVALID_FORMAT',
      `transcoder from ${this.from.encoding} expects ${expected}, got ${got}`,
    );
  }
}
