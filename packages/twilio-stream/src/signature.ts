import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

/**
 * The HMAC behind a signature: `HMAC_SHA1` with the auth token (Twilio's default), or `HMAC_SHA256` when a
 * Twilio Webhooks rule signs with a SharedKey (the request then carries `X-Twilio-Webhooks-Signature-Settings:
 * key=…,algorithm=HMAC_SHA256`; see {@link signatureAlgorithm}).
 */
export type TwilioSignatureAlgorithm = 'HMAC_SHA1' | 'HMAC_SHA256';

/** Form parameters of a signed request; a repeated parameter is an array of its values. */
export type TwilioSignedParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * Reads the algorithm from an `X-Twilio-Webhooks-Signature-Settings` header value (missing or without
 * `algorithm=`: `HMAC_SHA1`).
 * @returns the algorithm, or `undefined` for one this library does not know (then refuse the request)
 */
export function signatureAlgorithm(settingsHeader: string | undefined): TwilioSignatureAlgorithm | undefined {
  for (const part of (settingsHeader ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== 'algorithm') continue;
    const name = part
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (name === '') continue;
    return name === 'HMAC_SHA1' || name === 'HMAC_SHA256' ? name : undefined;
  }
  return 'HMAC_SHA1';
}

/**
 * Computes Twilio's request signature: base64(HMAC(authToken, url + the POST parameters sorted by name, each
 * as name then value; a repeated parameter's distinct values sorted, each after the name)). For the Media
 * Streams WebSocket upgrade there are no parameters and `url` is the `wss://` URL exactly as written in the
 * TwiML. For a JSON webhook, `url` carries `bodySHA256` and there are no parameters either.
 * @param authToken - the account's auth token (or the SharedKey secret of a Webhooks rule)
 * @param url - the full URL Twilio requested, from configuration (not from proxy-rewritten request headers)
 * @param params - form parameters of a POST webhook; omit for the WebSocket upgrade
 * @param algorithm - `HMAC_SHA1` (default) or `HMAC_SHA256`
 */
export function computeTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioSignedParams = {},
  algorithm: TwilioSignatureAlgorithm = 'HMAC_SHA1',
): string {
  const hmac = createHmac(algorithm === 'HMAC_SHA256' ? 'sha256' : 'sha1', authToken);
  hmac.update(url);
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (typeof value === 'string') hmac.update(key + value);
    else for (const v of [...new Set(value)].sort()) hmac.update(key + v);
  }
  return hmac.digest('base64');
}

/** Options of {@link validateTwilioSignature}. */
export interface ValidateSignatureOptions {
  /** `HMAC_SHA1` (default) or `HMAC_SHA256`; read it with {@link signatureAlgorithm}. */
  algorithm?: TwilioSignatureAlgorithm;
}

/**
 * Checks an `X-Twilio-Signature` value in constant time, accepting what the official `twilio` package's
 * `validateRequest` accepts: the URL as given, with and without its default port (`https://h:443/x` and
 * `https://h/x` are the same request, and Twilio may have signed either), and the same after URL
 * normalisation, with the query string also in the legacy `querystring` encoding.
 * @returns true when `signature` is the signature of one of those URLs (+ `params`) under `authToken`
 */
export function validateTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioSignedParams = {},
  options: ValidateSignatureOptions = {},
): boolean {
  const given = Buffer.from(typeof signature === 'string' ? signature : '', 'latin1');
  const algorithm = options.algorithm ?? 'HMAC_SHA1';
  let ok = false;
  // Every candidate is checked (no early exit), so the time taken does not say which form matched.
  for (const candidate of candidateUrls(url)) {
    if (sameSignature(computeTwilioSignature(authToken, candidate, params, algorithm), given)) ok = true;
  }
  return ok;
}

/**
 * Checks a webhook whose body is not form parameters (Twilio sends JSON with `bodySHA256` in the URL): the
 * signature over the URL (no parameters), as {@link validateTwilioSignature}, and the body's SHA-256 (hex)
 * against `bodySHA256`, both in constant time. The same check as `twilio`'s `validateRequestWithBody`.
 * @param body - the raw request body, exactly as received
 */
export function validateTwilioRequestWithBody(
  authToken: string,
  signature: string | undefined,
  url: string,
  body: string,
  options: ValidateSignatureOptions = {},
): boolean {
  let bodyHash = '';
  try {
    bodyHash = new URL(url).searchParams.get('bodySHA256') ?? '';
  } catch {
    return false;
  }
  const signed = validateTwilioSignature(authToken, signature, url, {}, options);
  const hashed = sameSignature(
    createHash('sha256').update(body).digest('hex'),
    Buffer.from(bodyHash, 'latin1'),
  );
  return signed && hashed;
}

function sameSignature(expectedText: string, given: Buffer): boolean {
  const expected = Buffer.from(expectedText, 'latin1');
  // timingSafeEqual needs equal lengths: compare against a same-size copy so that a wrong length costs the
  // same as a wrong value, then fail on the length separately. Comparing the base64 text (not decoded
  // bytes) rejects signatures padded with characters Node's lenient base64 decoder would skip.
  const sameSize = Buffer.alloc(expected.length);
  given.copy(sameSize, 0, 0, expected.length);
  return timingSafeEqual(expected, sameSize) && given.length === expected.length;
}

/** The URL forms Twilio may have signed for `url` (the same set as `twilio`'s `validateRequest`). */
function candidateUrls(url: string): string[] {
  const out = new Set([withoutPort(url), withDefaultPort(url)]);
  // `twilio` adds :80 to anything but https://; a wss:// stream URL's default port is 443.
  if (/^wss:\/\//i.test(url)) out.add(withDefaultPort(url, ':443'));
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return [...out];
  }
  for (const u of [withoutPort(normalized), withDefaultPort(normalized)]) {
    out.add(u);
    out.add(legacyQuery(u));
  }
  return [...out];
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | null {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0 || !/^[a-z][a-z0-9+.-]*$/i.test(url.slice(0, schemeEnd))) return null;
  const authorityStart = schemeEnd + 3;
  let authorityEnd = authorityStart;
  while (authorityEnd < url.length && !'/?#'.includes(url[authorityEnd])) authorityEnd++;
  const authority = url.slice(authorityStart, authorityEnd);
  const at = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(at + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const colon = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme: url.slice(0, authorityStart),
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostAndPort : hostAndPort.slice(0, colon),
    port: colon === -1 ? '' : hostAndPort.slice(colon),
    rest: url.slice(authorityEnd),
  };
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userInfo + p.host + p.rest : url;
}

function withDefaultPort(url: string, port?: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  // As `twilio` does: 443 for https, 80 for anything else.
  const add = port ?? (p.scheme.toLowerCase() === 'https://' ? ':443' : ':80');
  return p.scheme + p.userInfo + p.host + add + p.rest;
}

function legacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return `${url.slice(0, q)}?${stringifyQuery(parseQuery(url.slice(q + 1)))}`;
}
