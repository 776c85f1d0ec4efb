import type { RealtimeAudioFormat, SessionUpdate } from '@voxwire/realtime-client';
import { AudioCaptureError } from './errors.js';

const BETA_FORMATS: Record<string, RealtimeAudioFormat> = {
  pcm16: { type: 'audio/pcm', rate: 24000 },
  g711_ulaw: { type: 'audio/pcmu' },
  g711_alaw: { type: 'audio/pcma' },
};

/**
 * Turns a beta-shaped `session` (the design's Example 4: `modalities`, `input_audio_format: "pcm16"`,
 * `voice`, flat `turn_detection`) into the GA shape (`output_modalities`, `audio.input.format`,
 * `audio.output.voice`, …). GA fields pass through; beta fields GA dropped (`temperature`) are removed.
 * OpenAI switched the beta shape off, so sending it as written gets an error.
 * @throws AudioCaptureError `INVALID_CONFIG` for an audio format name the beta shape did not have
 */
export function toGaSession(session: Record<string, unknown>): SessionUpdate {
  const {
    modalities,
    input_audio_format,
    output_audio_format,
    voice,
    turn_detection,
    input_audio_transcription,
    temperature: _dropped,
    max_response_output_tokens,
    ...rest
  } = session;
  const out = { ...rest } as SessionUpdate & Record<string, unknown>;
  delete out.type;
  if (Array.isArray(modalities) && out.output_modalities === undefined) {
    out.output_modalities = modalities.includes('audio') ? ['audio'] : ['text'];
  }
  if (max_response_output_tokens !== undefined && out.max_output_tokens === undefined) {
    out.max_output_tokens = max_response_output_tokens as number | 'inf';
  }
  const input = { ...(out.audio?.input ?? {}) };
  const output = { ...(out.audio?.output ?? {}) };
  if (typeof input_audio_format === 'string') input.format = beta(input_audio_format, 'input_audio_format');
  if (typeof output_audio_format === 'string')
    output.format = beta(output_audio_format, 'output_audio_format');
  if (typeof voice === 'string') output.voice = voice;
  if (turn_detection !== undefined) input.turn_detection = turn_detection as never;
  if (input_audio_transcription !== undefined) input.transcription = input_audio_transcription as never;
  if (Object.keys(input).length > 0 || Object.keys(output).length > 0) {
    out.audio = {
      ...(Object.keys(input).length > 0 ? { input } : {}),
      ...(Object.keys(output).length > 0 ? { output } : {}),
    };
  }
  return out;
}

function beta(name: string, field: string): RealtimeAudioFormat {
  const f = BETA_FORMATS[name];
  if (!f)
    throw new AudioCaptureError(
      'INVALID_CONFIG',
      `${field} "${name}" is not one of ${Object.keys(BETA_FORMATS).join(', ')}`,
    );
  return f;
}
