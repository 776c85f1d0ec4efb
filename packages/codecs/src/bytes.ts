import { AudioFormatError } from './errors.js';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads little-endian 16-bit PCM bytes as an Int16Array. Zero-copy (a view over the same memory) when the
 * bytes start at an even offset on a little-endian host; otherwise the samples are copied.
 * @param bytes - raw PCM16LE bytes, e.g. a WebSocket message or a decoded base64 payload
 * @throws AudioFormatError when the byte count is odd (half a sample would be dropped)
 */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `PCM16 needs an even number of bytes, got ${bytes.byteLength}`,
    );
  }
  const n = bytes.byteLength / 2;
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  }
  const out = new Int16Array(n);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
  }
  return out;
}

/**
 * Views Int16 PCM as little-endian bytes (a Buffer over the same memory, no copy, on little-endian hosts;
 * a byte-swapped copy on big-endian ones). Writing to the result writes to `pcm`.
 * @param pcm - PCM samples
 */
export function int16ToBytes(pcm: Int16Array): Buffer {
  if (HOST_IS_LITTLE_ENDIAN) return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = Buffer.allocUnsafe(pcm.byteLength);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i], 2 * i);
  return out;
}
