/**
 * @voxwire/speech — offline speech engines behind two small interfaces: {@link Synthesizer} (espeak-ng, or
 * a built-in formant voice that needs nothing installed) and {@link Transcriber} (CMU PocketSphinx, or a
 * stand-in that says none is installed). Audio goes in and out as `AudioFrame`s of @voxwire/codecs. Used by
 * @voxwire/realtime-server and by agents that run their own pipeline.
 * @packageDocumentation
 */

export { resampleFrame } from '@voxwire/codecs';
export { VoxwireError } from '@voxwire/core';
export {
  SynthesisError,
  type SynthesisErrorCode,
  TranscriptionError,
  type TranscriptionErrorCode,
} from './errors.js';
export { EspeakSynthesizer, type EspeakSynthesizerOptions, readStreamingWav } from './espeak.js';
export { FormantSynthesizer, type FormantSynthesizerOptions } from './formant.js';
export {
  DEBIAN_POCKETSPHINX_MODEL,
  NO_TRANSCRIBER_TEXT,
  NullTranscriber,
  PocketsphinxTranscriber,
  type PocketsphinxTranscriberOptions,
} from './pocketsphinx.js';
export {
  DEFAULT_MAX_CHUNK_LENGTH,
  DEFAULT_MAX_TEXT_LENGTH,
  splitForSynthesis,
  synthesisStream,
} from './synthesis-limits.js';
export type { SynthesisOptions, Synthesizer, Transcriber } from './types.js';
