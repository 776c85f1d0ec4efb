import { bytesToInt16, int16ToBytes } from './bytes.js';
import { AudioFormatError } from './errors.js';

/**
 * Decodes standard base64 (padding optional) to bytes.
 * @param text - base64 text, e.g. a Twilio `media.payload` or an OpenAI `delta`
 * @throws AudioFormatError when the text holds characters outside the base64 alphabet or has an
 *   impossible length
 */
export function base64ToBytes(text: string): Buffer {
  if (typeof text !== 'string')
    throw new AudioFormatError('INVALID_BASE64', `base64 input must be a string, got ${typeof text}`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const unpadded = text.length - padding;
  if (unpadded % 4 !== 1 && (padding === 0 || text.length % 4 === 0)) {
    const bytes = Buffer.from(text, 'base64');
    // Node's decoder skips characters outside the alphabet (which would turn a corrupted frame into
    // shorter, shifted audio) and also takes the URL-safe alphabet. Every skipped character shortens the
    // output, so the length proves the text clean without a per-character regex pass over every frame.
    if (
      bytes.length === Math.floor((unpadded * 3) / 4) &&
      text.indexOf('-') === -1 &&
      text.indexOf('_') === -1
    )
      return bytes;
  }
  const preview = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  throw new AudioFormatError(
    'INVALID_BASE64',
    `not valid base64 (${text.length} chars): ${JSON.stringify(preview)}`,
  );
}

/** Encodes bytes as standard padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes base64 PCM16LE to samples.
 * @throws AudioFormatError for non-base64 text or an odd byte count
 */
export function base64ToInt16(text: string): Int16Array {
  return bytesToInt16(base64ToBytes(text));
}

/** Encodes PCM samples as base64 PCM16LE without an intermediate copy. */
export function int16ToBase64(pcm: Int16Array): string {
  return int16ToBytes(pcm).toString('base64');
}
