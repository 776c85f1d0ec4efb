/**
 * @voxwire/codecs — the format layer of voxwire: bit-exact G.711, PCM conversions, byte/base64 helpers,
 * framing, a streaming resampler, Opus and WAV, and the {@link AudioFrame} / {@link EncodedFrame} types every
 * voxwire package passes audio in.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { base64ToBytes, base64ToInt16, bytesToBase64, int16ToBase64 } from './base64.js';
export { bytesToInt16, int16ToBytes } from './bytes.js';
export { AudioFormatError, type AudioFormatErrorCode } from './errors.js';
export type { FilterSpec } from './filter-design.js';
export {
  type AnyFrame,
  type AudioFrame,
  audioFrame,
  type EncodedCodec,
  type EncodedFrame,
  encodedFrame,
  frameDurationMs,
  frameSamples,
  isEncodedFrame,
} from './frame.js';
export { Framer, type FramerArrayTypes, type FramerEncoding, type FramerOptions } from './framer.js';
export { alaw, type G711Law, mulaw } from './g711.js';
export {
  OPUS_APPLICATIONS,
  OPUS_FRAME_MS,
  OPUS_SAMPLE_RATES,
  type OpusApplication,
  type OpusBackendName,
  type OpusCommonOptions,
  OpusDecoder,
  OpusEncoder,
  type OpusEncoderOptions,
} from './opus.js';
export { type FloatToInt16Options, floatToInt16, int16ToFloat } from './pcm.js';
export { resampleFrame } from './resample-frame.js';
export { RESAMPLER_QUALITY, Resampler, type ResamplerOptions, type ResamplerQuality } from './resampler.js';
export {
  createTranscoder,
  type Transcoder,
  type TranscoderData,
  type TranscoderEncoding,
  type TranscoderFormat,
  type TranscoderOptions,
} from './transcoder.js';
export { type WavAudio, type WavEncoding, type WavWriteInput, wav } from './wav.js';
