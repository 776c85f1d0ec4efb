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

/** Taken whenever VAIC offers it: 24 kHz PCM needs no resampling to or from the Realtime API. */
export const AUDIOCODES_PREFERRED_FORMAT: AudioCodesMediaFormat = 'raw/lpcm16_24';

/** What a conversation uses when `session.initiate` offers no format at all (as the OpusAgent design). */
export const AUDIOCODES_DEFAULT_FORMAT: AudioCodesMediaFormat = 'raw/lpcm16';

/** Whether `name` is a media format this package speaks. */
export function isAudioCodesMediaFormat(name: string): name is AudioCodesMediaFormat {
  return Object.hasOwn(AUDIOCODES_MEDIA_FORMATS, name);
}

/**
 * Who a play stream is for, sent as `participant` on `playStream.*` (the OpusAgent design sends
 * `"caller"`; VAIC's agent-assist calls also have an `"agent"` leg).
 */
export type AudioCodesParticipant = string;

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
  | {
      type: 'playStream.start';
      conversationId: string;
      streamId: string;
      mediaFormat: AudioCodesMediaFormat;
      participant: AudioCodesParticipant;
    }
  | {
      type: 'playStream.chunk';
      conversationId: string;
      streamId: string;
      audioChunk: string;
      participant: AudioCodesParticipant;
    }
  | { type: 'playStream.stop'; conversationId: string; streamId: string; participant: AudioCodesParticipant }
  | { type: 'activities'; conversationId: string; activities: AudioCodesActivity[] };

/**
 * The format of a new conversation, as the OpusAgent design picks it: `raw/lpcm16_24` when offered, else
 * the first offered format (VAIC lists them in its order of preference) that this package speaks, else
 * `fallback` (default {@link AUDIOCODES_DEFAULT_FORMAT}) when nothing at all was offered. Undefined when
 * formats were offered and none is usable (the design would take an unusable first one and fail later).
 */
export function chooseMediaFormat(
  offered: readonly string[],
  fallback: AudioCodesMediaFormat = AUDIOCODES_DEFAULT_FORMAT,
): AudioCodesMediaFormat | undefined {
  if (offered.length === 0) return fallback;
  if (offered.includes(AUDIOCODES_PREFERRED_FORMAT)) return AUDIOCODES_PREFERRED_FORMAT;
  return offered.find(isAudioCodesMediaFormat);
}
