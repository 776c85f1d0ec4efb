/** 16-bit little-endian PCM at 24 kHz, the API's native format. */
export interface PcmAudioFormat {
  type: 'audio/pcm';
  rate: 24000;
}
/** G.711 μ-law at 8 kHz (telephony in North America and Japan). */
export interface PcmuAudioFormat {
  type: 'audio/pcmu';
}
/** G.711 A-law at 8 kHz (telephony elsewhere). */
export interface PcmaAudioFormat {
  type: 'audio/pcma';
}
/** An audio format of the GA session (`audio.input.format` / `audio.output.format`). */
export type RealtimeAudioFormat = PcmAudioFormat | PcmuAudioFormat | PcmaAudioFormat;

/** The `type` of a {@link RealtimeAudioFormat}. */
export type RealtimeAudioFormatType = RealtimeAudioFormat['type'];

/** Every format `type` the GA API accepts. */
export const AUDIO_FORMAT_TYPES: readonly RealtimeAudioFormatType[] = [
  'audio/pcm',
  'audio/pcmu',
  'audio/pcma',
];

/**
 * How a format's bytes are coded: `pcm16` (16-bit little-endian PCM) or a G.711 law. The G.711 names are
 * `@voxwire/codecs`' `EncodedFrame` codec names, so a frame of a G.711 session passes through unchanged.
 */
export type RealtimeAudioCodec = 'pcm16' | 'pcmu' | 'pcma';

/** Sample rate of a wire format: 24 000 for PCM, 8000 for G.711. */
export function formatSampleRate(format: RealtimeAudioFormat): 24000 | 8000 {
  return format.type === 'audio/pcm' ? 24000 : 8000;
}

/** The codec of a wire format. */
export function formatCodec(format: RealtimeAudioFormat): RealtimeAudioCodec {
  switch (format.type) {
    case 'audio/pcmu':
      return 'pcmu';
    case 'audio/pcma':
      return 'pcma';
    default:
      return 'pcm16';
  }
}

/** The wire format of a codec: the inverse of {@link formatCodec}. */
export function formatOfCodec(codec: RealtimeAudioCodec): RealtimeAudioFormat {
  if (codec === 'pcmu') return { type: 'audio/pcmu' };
  if (codec === 'pcma') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: 24000 };
}

/** Whether `type` names a GA audio format. */
export function isAudioFormatType(type: unknown): type is RealtimeAudioFormatType {
  return (AUDIO_FORMAT_TYPES as readonly unknown[]).includes(type);
}
