import { OPENAI_VOICES } from '@voxwire/realtime-protocol';

/** Female first names of common Edge-TTS neural voices (the rest are treated as male). */
const EDGE_FEMALE = new Set([
  'aria',
  'jenny',
  'michelle',
  'ana',
  'emma',
  'ava',
  'sonia',
  'libby',
  'maisie',
  'natasha',
  'clara',
  'neerja',
  'denise',
  'katja',
  'elvira',
  'nanami',
  'xiaoxiao',
  'premwadee',
  'hoaimy',
  'sunhi',
]);

/** An Edge-TTS voice name like `en-US-AriaNeural`: locale and first name. */
const EDGE = /^([a-z]{2,3})-([A-Z]{2})-([A-Za-z]+?)(?:Multilingual)?Neural$/;

/**
 * The espeak-ng voice for a configured voice name: Edge-TTS names map to the locale with a female or male
 * variant, OpenAI names and espeak names pass through (the @voxwire/speech synthesizer maps OpenAI names).
 */
export function espeakVoice(voice: string): string {
  const m = EDGE.exec(voice);
  if (m) {
    const female = EDGE_FEMALE.has(m[3].toLowerCase());
    return `${m[1]}-${m[2].toLowerCase()}+${female ? 'f3' : 'm3'}`;
  }
  return voice;
}

/** The OpenAI voice for a configured voice name: OpenAI names pass through, others map by gender. */
export function openAiVoice(voice: string): string {
  if (OPENAI_VOICES.includes(voice)) return voice;
  const m = EDGE.exec(voice);
  if (m && !EDGE_FEMALE.has(m[3].toLowerCase())) return 'ash';
  return 'alloy';
}
