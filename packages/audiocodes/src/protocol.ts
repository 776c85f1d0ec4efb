/**
 * AudioCodes VoiceAI Connect Bot API (streaming mode) message shapes, as far as this package uses them.
 * Field names are exact; every message carries `type` and, from VAIC, `conversationId`.
 */

/** Media formats VAIC may offer, with what they mean on the wire. */
export const AUDIOCODES_MEDIA_FORMATS = {
  'raw/lpcm16_24': { encoding: 'pcm16', sampleRate: 24000 },
  'raw/lpcm16': { encoding: 'pcm16', sampleRate: 16000 },
  'raw/lpcm16_8': { encoding: 'pcm16', sampleRate: 8000 },
  'raw/mulaw': { encoding: 'mulaw', sampleRate: 8000 },
} as const;

/** A media format name VAIC can negotiate. */
export type AudioCodesMediaFormat = keyof typeof AUDIOCODES_MEDIA_FORMATS;

/** Our preference among offered formats: 24 kHz PCM needs no resampling to or from the Realtime API. */
export const AUDIOCODES_FORMAT_PREFERENCE: readonly AudioCodesMediaFormat[] = [
  'raw/lpcm16_24',
  'raw/lpcm16',
  'raw/mulaw',
  'raw/lpcm16_8',
];

/** One entry of an `activities` message. */
export interface AudioCodesActivity {
  type: string;
  name?: string;
  id?: string;
  timestamp?: string;
  language?: string;
  parameters?: Record<string, unknown>;
  value?: unknown;
}

/** Messages VAIC sends to the bot. */
export type AudioCodesInbound =
  | {
      type: 'session.initiate';
      conversationId: string;
      botName?: string;
      caller?: string;
      expectAudioMessages?: boolean;
      supportedMediaFormats: string[];
    }
  | { type: 'session.resume'; conversationId: string }
  | { type: 'userStream.start'; conversationId: string }
  | { type: 'userStream.chunk'; conversationId: string; audioChunk: string }
  | { type: 'userStream.stop'; conversationId: string }
  | { type: 'activities'; conversationId: string; activities: AudioCodesActivity[] }
  | { type: 'session.end'; conversationId: string; reasonCode?: string; reason?: string }
  | { type: 'connection.validate'; conversationId?: string };

/** Messages the bot sends to VAIC. */
export type AudioCodesOutbound =
  | { type: 'session.accepted'; conversationId: string; mediaFormat: AudioCodesMediaFormat }
  | { type: 'session.error'; conversationId?: string; reason: string }
  | { type: 'connection.validated'; conversationId?: string; success: boolean }
  | { type: 'userStream.started'; conversationId: string }
  | { type: 'userStream.stopped'; conversationId: string }
  | { type: 'userStream.speech.started'; conversationId: string }
  | { type: 'userStream.speech.stopped'; conversationId: string }
  | { type: 'userStream.speech.committed'; conversationId: string }
  | { type: 'userStream.speech.hypothesis'; conversationId: string; alternatives: { text: string }[] }
  | {
      type: 'userStream.speech.recognition';
      conversationId: string;
      alternatives: { text: string; confidence: number }[];
    }
  | { type: 'playStream.start'; conversationId: string; streamId: string; mediaFormat: AudioCodesMediaFormat }
  | { type: 'playStream.chunk'; conversationId: string; streamId: string; audioChunk: string }
  | { type: 'playStream.stop'; conversationId: string; streamId: string }
  | { type: 'activities'; conversationId: string; activities: AudioCodesActivity[] };

/** Picks our preferred format among those offered, or undefined when none is usable. */
export function chooseMediaFormat(offered: readonly string[]): AudioCodesMediaFormat | undefined {
  return AUDIOCODES_FORMAT_PREFERENCE.find((f) => offered.includes(f));
}
