import { EspeakSynthesizer, NullTranscriber, PocketsphinxTranscriber } from '@voxwire/speech';
import { RuleResponder, type RuleResponderOptions } from './rule-responder.js';
import type { RealtimeEngines } from './types.js';

/** Options for {@link defaultEngines}. */
export interface DefaultEnginesOptions {
  /** `auto` (default): pocketsphinx when installed, else none. */
  transcriber?: 'auto' | 'pocketsphinx' | 'none';
  /** Options of the default rule responder. */
  rules?: RuleResponderOptions;
}

/**
 * The offline engines: espeak-ng speech (formant voice when espeak-ng is absent), pocketsphinx
 * recognition when installed (otherwise transcripts say no transcriber is configured), the rule responder.
 */
export function defaultEngines(options: DefaultEnginesOptions = {}): RealtimeEngines {
  const which = options.transcriber ?? 'auto';
  const usePocketsphinx =
    which === 'pocketsphinx' || (which === 'auto' && PocketsphinxTranscriber.isInstalled());
  return {
    synthesizer: new EspeakSynthesizer(),
    transcriber: usePocketsphinx ? new PocketsphinxTranscriber() : new NullTranscriber(),
    responder: new RuleResponder(options.rules),
  };
}
