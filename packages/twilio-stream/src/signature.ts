import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Computes Twilio's request signature: base64(HMAC-SHA1(authToken, url + the sorted POST parameters, each
 * as key then value)). For the Media Streams WebSocket upgrade there are no parameters and `url` is the
 * `wss://` URL exactly as written in the TwiML.
 * @param authToken - the account's auth token
 * @param url - the full URL Twilio requested, from configuration (not from proxy-rewritten request headers)
 * @param params - form parameters of a POST webhook; omit for the WebSocket upgrade
 */
export function computeTwilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>> = {},
): string {
  const hmac = createHmac('sha1', authToken);
  hmac.update(url);
  for (const key of Object.keys(params).sort()) hmac.update(key + params[key]);
  return hmac.digest('base64');
}

/**
 * Checks an `X-Twilio-Signature` value in constant time (the comparison does not reveal how many leading
 * bytes matched, nor the expected length).
 * @returns true when `signature` is the signature of `url` (+ `params`) under `authToken`
 */
export function validateTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Readonly<Record<string, string>> = {},
): boolean {
  const expected = Buffer.from(computeTwilioSignature(authToken, url, params), 'latin1');
  const given = Buffer.from(typeof signature === 'string' ? signature : '', 'latin1');
  // timingSafeEqual needs equal lengths: compare against a same-size copy so that a wrong length costs the
  // same as a wrong value, then fail on the length separately. Comparing the base64 text (not decoded
  // bytes) rejects signatures padded with characters Node's lenient base64 decoder would skip.
  const sameSize = Buffer.alloc(expected.length);
  given.copy(sameSize, 0, 0, expected.length);
  const equal = timingSafeEqual(expected, sameSize);
  return equal && given.length === expected.length;
}
