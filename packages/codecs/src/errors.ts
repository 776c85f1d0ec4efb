/** Thrown for audio input that cannot be processed as given: odd byte counts, bad base64, wrong rates. */
export class AudioFormatError extends Error {
  override name = 'AudioFormatError';
}
