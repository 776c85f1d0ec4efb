import { JarvisError } from './errors.js';

/** Per-session audio configuration (the design's `AudioConfig`, snake_case as on the wire). */
export interface AudioConfig {
  /** Rate of the PCM16 the client sends and receives: 8000–48000 Hz. */
  sample_rate: number;
  /** Channels; only mono is accepted (the design's "stereo support" is not implemented). */
  channels: 1;
  /**
   * The design's microphone read size in samples (1024 = 64 ms at 16 kHz): how many samples the client
   * captures and sends at a time. Accepted and echoed so that a client sending the design's full config
   * works, but it changes nothing here: the server takes audio frames of any size and the VAD re-frames
   * them, so results do not depend on how a client chunks its audio.
   */
  chunk_size: number;
  /**
   * Recogniser: `commands` (offline: pocketsphinx constrained to the plugins' command grammar),
   * `dictation` (offline: pocketsphinx's open en-US model), or a Whisper size / OpenAI model name; Whisper
   * sizes (`tiny`, `base`, `small`, …) mean `commands` offline and `whisper-1` with OpenAI.
   */
  stt_model: string;
  /** Voice: Edge-TTS names (`en-US-AriaNeural`), OpenAI names (`alloy`) or espeak-ng voices (`en-us+f3`). */
  tts_voice: string;
  /** Segment utterances with the VAD; when false the client ends each utterance with `commit`. */
  enable_vad: boolean;
  /** Remove rumble and DC below ~100 Hz before the VAD and the recogniser. */
  enable_noise_reduction: boolean;
  /** Size of the audio chunks the server streams back, in ms. */
  streaming_chunk_ms: number;
  /** Silence that ends an utterance, in ms. */
  max_silence_ms: number;
  /** Speech shorter than this does not start an utterance, in ms. */
  min_speech_ms: number;
  /** Language hint for the recogniser. */
  language: string;
}

/** The design's defaults. */
export const DEFAULT_AUDIO_CONFIG: Readonly<AudioConfig> = Object.freeze({
  sample_rate: 16000,
  channels: 1,
  chunk_size: 1024,
  stt_model: 'base',
  tts_voice: 'en-US-AriaNeural',
  enable_vad: true,
  enable_noise_reduction: true,
  streaming_chunk_ms: 100,
  max_silence_ms: 1000,
  min_speech_ms: 300,
  language: 'en',
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new JarvisError('INVALID_CONFIG', `${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function str(obj: Record<string, unknown>, key: string, pattern: RegExp): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !pattern.test(v)) {
    throw new JarvisError('INVALID_CONFIG', `${key} must be a string matching ${pattern}`);
  }
  return v;
}

function bool(obj: Record<string, unknown>, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new JarvisError('INVALID_CONFIG', `${key} must be true or false`);
  return v;
}

/** `chunk_size` bounds, in samples: 1 ms at 16 kHz up to one second at 48 kHz. */
const MIN_CHUNK_SIZE = 16;
const MAX_CHUNK_SIZE = 48000;

const KNOWN = new Set(Object.keys(DEFAULT_AUDIO_CONFIG));

/**
 * Validates a client's (partial) config and merges it over `base`. Atomic: a bad field throws a
 * `JarvisError('INVALID_CONFIG')` and nothing is changed. Unknown fields are refused, so typos show.
 */
export function mergeAudioConfig(base: Readonly<AudioConfig>, input: unknown): AudioConfig {
  if (input === undefined || input === null) return { ...base };
  if (!isRecord(input)) throw new JarvisError('INVALID_CONFIG', 'config must be an object');
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) throw new JarvisError('INVALID_CONFIG', `unknown config field ${key}`);
  }
  const channels = intIn(input, 'channels', 1, 1);
  const out: AudioConfig = {
    sample_rate: intIn(input, 'sample_rate', 8000, 48000) ?? base.sample_rate,
    channels: channels === 1 ? 1 : base.channels,
    chunk_size: intIn(input, 'chunk_size', MIN_CHUNK_SIZE, MAX_CHUNK_SIZE) ?? base.chunk_size,
    stt_model: str(input, 'stt_model', /^[\w.:-]{1,64}$/) ?? base.stt_model,
    tts_voice: str(input, 'tts_voice', /^[\w.+:-]{1,64}$/) ?? base.tts_voice,
    enable_vad: bool(input, 'enable_vad') ?? base.enable_vad,
    enable_noise_reduction: bool(input, 'enable_noise_reduction') ?? base.enable_noise_reduction,
    streaming_chunk_ms: intIn(input, 'streaming_chunk_ms', 10, 1000) ?? base.streaming_chunk_ms,
    max_silence_ms: intIn(input, 'max_silence_ms', 100, 10000) ?? base.max_silence_ms,
    min_speech_ms: intIn(input, 'min_speech_ms', 20, 5000) ?? base.min_speech_ms,
    language: str(input, 'language', /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/) ?? base.language,
  };
  return out;
}
