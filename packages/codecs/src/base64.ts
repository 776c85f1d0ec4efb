import { bytesToInt16, int16ToBytes } from './bytes.js';
import { AudioFormatError } from './errors.js';

// Standard alphabet (RFC 4648 §4), padding optional. Node's decoder silently skips anything else, which
// would turn a corrupted frame into shorter, shifted audio; we reject it instead.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard base64 (padding optional) to bytes.
 * @param text - base64 text, e.g. a Twilio `media.payload` or an OpenAI `delta`
 * @throws AudioFormatError when the text holds characters outside the base64 alphabet or has an
 *   impossible length
 */
export function base64ToBytes(text: string): Buffer {
  if (typeof text !== 'string')
    throw new AudioFormatError('INVALID_BASE64', `base64 input must be a string, got ${typeof text}`);
  const unpadded = text.length - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
  if (!BASE64.test(text) || unpadded % 4 === 1 || (unpadded !== text.length && text.length % 4 !== 0)) {
    const preview = text.length > 24 ? `${text.slice(0, 24)}…` : text;
    throw new AudioFormatError(
      'INVALID_BASE64',
      `not valid base64 (${text.length} chars): ${JSON.stringify(preview)}`,
    );
  }
  return Buffer.from(text, 'base64');
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
