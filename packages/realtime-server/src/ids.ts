import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 text, like the suffixes of OpenAI's ids. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

/**
 * Per-session id factory: a random session stem plus a counter, so ids are unique across sessions and cheap
 * to make on the hot path (one per audio delta event).
 */
export class IdFactory {
  private counter = 0;
  private readonly stem = randomId(10);

  /** A fresh id such as `item_Ab3…0007`. */
  next(prefix: 'event' | 'item' | 'resp' | 'call' | 'conv' | 'sess'): string {
    this.counter++;
    return `${prefix}_${this.stem}${this.counter.toString(36).padStart(5, '0')}`;
  }
}
