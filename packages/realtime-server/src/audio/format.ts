import {
  AudioFormatError,
  alaw,
  base64ToBytes,
  base64ToInt16,
  bytesToBase64,
  int16ToBase64,
  mulaw,
} from '@voxwire/codecs';
import type { RealtimeAudioFormat } from '@voxwire/realtime-protocol';
import { RealtimeProtocolError } from '../errors.js';

/**
 * Decodes an `input_audio_buffer.append` payload to PCM at the format's rate (24 kHz PCM16, or 8 kHz for
 * G.711, expanded to 16-bit).
 * @throws RealtimeProtocolError (`invalid_value`, param `audio`) for bad base64 or an odd PCM16 byte count
 */
export function decodeInputAudio(audio: string, format: RealtimeAudioFormat, param = 'audio'): Int16Array {
  try {
    // The result may view a shared decode buffer: callers copy it into their own storage at once.
    if (format.type === 'audio/pcm') return base64ToInt16(audio);
    const codes = base64ToBytes(audio);
    return format.type === 'audio/pcmu' ? mulaw.decode(codes) : alaw.decode(codes);
  } catch (err) {
    if (err instanceof AudioFormatError) {
      throw new RealtimeProtocolError(
        'INVALID_VALUE',
        `Invalid '${param}' for ${format.type}: ${err.message}.`,
        param,
      );
    }
    throw err;
  }
}

/**
 * Encodes output PCM (already at the format's rate) as a base64 delta. `scratch` is reused for G.711 codes
 * so the hot path allocates only the base64 string.
 */
export function encodeOutputAudio(pcm: Int16Array, format: RealtimeAudioFormat, scratch: Uint8Array): string {
  if (format.type === 'audio/pcm') return int16ToBase64(pcm);
  const codes = format.type === 'audio/pcmu' ? mulaw.encode(pcm, scratch) : alaw.encode(pcm, scratch);
  return bytesToBase64(codes);
}
