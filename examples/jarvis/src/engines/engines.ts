import { EspeakSynthesizer, type Synthesizer, type Transcriber } from '@voxwire/speech';
import { OfflineRecognizers } from './offline.js';
import { OpenAiSynthesizer, OpenAiTranscriber } from './openai.js';
import { espeakVoice } from './voices.js';

/** The speech engines of the audio service. */
export interface SpeechEngines {
  /** `offline` or `openai`. */
  readonly kind: 'offline' | 'openai';
  /** The recogniser for a session's `stt_model`, given the core's current command grammar. */
  transcriber(model: string, grammar: string | undefined): Transcriber;
  /** The synthesizer. Voices are passed as configured; {@link SpeechEngines.voice} maps them. */
  readonly synthesizer: Synthesizer;
  /** The engine's name for a configured voice. */
  voice(configured: string): string;
  /** Names for health reports. */
  describe(): { stt: string; tts: string };
  close(): void;
}

/** Options of {@link createSpeechEngines}. */
export interface SpeechEngineOptions {
  /** OpenAI key: when set, STT and TTS use OpenAI. */
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  /** pocketsphinx processes at once (default: half the CPUs). */
  sttConcurrency?: number;
}

/** Offline engines (pocketsphinx + espeak-ng with formant fallback) or OpenAI's when a key is given. */
export function createSpeechEngines(options: SpeechEngineOptions = {}): SpeechEngines {
  if (options.openaiApiKey) {
    const api = { apiKey: options.openaiApiKey, baseUrl: options.openaiBaseUrl };
    const byModel = new Map<string, Transcriber>();
    const synthesizer = new OpenAiSynthesizer(api);
    return {
      kind: 'openai',
      transcriber(model) {
        let t = byModel.get(model);
        if (!t) {
          t = new OpenAiTranscriber(api, model);
          byModel.set(model, t);
        }
        return t;
      },
      synthesizer,
      voice: (v) => v,
      describe: () => ({ stt: 'openai', tts: 'openai' }),
      close() {},
    };
  }
  const recognizers = new OfflineRecognizers(options.sttConcurrency);
  const synthesizer = new EspeakSynthesizer();
  return {
    kind: 'offline',
    transcriber: (model, grammar) => recognizers.get(model, grammar),
    synthesizer,
    voice: espeakVoice,
    describe: () => ({
      stt: recognizers.installed ? 'pocketsphinx' : 'none',
      tts: synthesizer.usesEspeak ? 'espeak-ng' : 'formant',
    }),
    close: () => recognizers.close(),
  };
}
