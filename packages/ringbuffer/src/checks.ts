/** True for an integer in [0, 2^32): the check every offset, length and count goes through. */
export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && v >>> 0 === v;
}
