import {
  AudioFormatError,
  OPUS_SAMPLE_RATES,
  type OpusApplication,
  type OpusBackendName,
  OpusDecoder,
  OpusEncoder,
  Resampler,
} from '@voxwire/codecs';
import { WebRtcError } from './errors.js';
import type { FrameDecoder, OutputConverter } from './inbound-audio.js';
import type { FrameEncoder } from './outbound-audio.js';

/** Which Opus implementation to run: `'auto'` prefers `@discordjs/opus` when installed, else opusscript. */
export type OpusBackendPreference = 'auto' | OpusBackendName;

/** A mono 48 kHz Opus encoder for fixed frames (VoIP tuning unless `application` says otherwise). */
export function createFrameEncoder(options: {
  frameMs: number;
  bitrate?: number;
  complexity?: number;
  application?: OpusApplication;
  backend?: OpusBackendPreference;
}): FrameEncoder {
  const encoder = new OpusEncoder({
    sampleRate: 48000,
    channels: 1,
    application: options.application ?? 'voip',
    frameMs: options.frameMs,
    backend: options.backend ?? 'auto',
    ...(options.bitrate === undefined ? {} : { bitrate: options.bitrate }),
    ...(options.complexity === undefined ? {} : { complexity: options.complexity }),
  });
  return {
    backend: encoder.backend,
    encode: (frame) => encoder.encode(frame),
    destroy: () => encoder.destroy(),
  };
}

/** A mono Opus decoder at `outputRate` when Opus can decode to it, else at 48 kHz (resampled after). */
export function createFrameDecoder(
  outputRate: number,
  backend: OpusBackendPreference = 'auto',
): FrameDecoder {
  const rate = OPUS_SAMPLE_RATES.includes(outputRate) ? outputRate : 48000;
  const decoder = new OpusDecoder({ sampleRate: rate, channels: 1, backend });
  return {
    sampleRate: rate,
    decode: (packet) => decoder.decode(packet),
    conceal(samples) {
      // The decoder conceals one frame of the last packet's duration, which is the RTP step in practice.
      const pcm = decoder.decode(null);
      return pcm.length > samples ? pcm.subarray(0, samples) : pcm;
    },
    destroy: () => decoder.destroy(),
  };
}

/**
 * A peer's encoder and decoder, opened together: when either refuses its options (or the backend asked for
 * is not installed), the other is freed and the codec's refusal becomes a WebRtcError `INVALID_ARGUMENT`
 * (the codec's error as its `cause`), so a peer constructor throws one error type.
 */
export function openPeerCodecs(options: {
  frameMs: number;
  bitrate?: number;
  complexity?: number;
  application?: OpusApplication;
  backend?: OpusBackendPreference;
  outputRate: number;
}): { encoder: FrameEncoder; decoder: FrameDecoder } {
  let encoder: FrameEncoder | undefined;
  try {
    encoder = createFrameEncoder(options);
    return { encoder, decoder: createFrameDecoder(options.outputRate, options.backend) };
  } catch (err) {
    encoder?.destroy?.();
    if (err instanceof AudioFormatError)
      throw new WebRtcError('INVALID_ARGUMENT', `Opus: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Resampler from the decoder's rate to the peer's rate, or undefined when they match. */
export function createOutputConverter(decoderRate: number, outputRate: number): OutputConverter | undefined {
  if (decoderRate === outputRate) return undefined;
  const resampler = new Resampler({ inputRate: decoderRate, outputRate });
  return { process: (pcm) => resampler.process(pcm) };
}

/** A streaming resampler to 48 kHz, as `sendAudio` uses it. */
export interface InputResampler {
  readonly rate: number;
  /** Samples the next `process` of `inputLength` samples will return. */
  outputLength(inputLength: number): number;
  process(pcm: Int16Array): Int16Array;
  flush(): Int16Array;
}

/** Streaming resampler from a caller's rate to 48 kHz for `sendAudio`, reusing one output buffer. */
export function createInputResampler(inputRate: number): InputResampler {
  const resampler = new Resampler({ inputRate, outputRate: 48000 });
  let out = new Int16Array(0);
  return {
    rate: inputRate,
    outputLength: (n) => resampler.outputLength(n),
    process(pcm) {
      const n = resampler.outputLength(pcm.length);
      if (out.length < n) out = new Int16Array(Math.max(n, out.length * 2));
      // The result is a view of `out`; the caller copies it into the send queue before the next call.
      return resampler.process(pcm, out.subarray(0, n));
    },
    flush: () => resampler.flush(),
  };
}
