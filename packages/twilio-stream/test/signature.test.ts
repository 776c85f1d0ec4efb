import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  createMediaStreamServer,
  type MediaStreamRejection,
  type MediaStreamServer,
  SimulatorConnectError,
  signatureAlgorithm,
  type TwilioCall,
  validateTwilioRequestWithBody,
  validateTwilioSignature,
} from '../src/index.js';
import { simulator, startServer } from './helpers.js';

const authToken = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const publicUrl = 'wss://voice.example.com/media';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('request signature', () => {
  it('matches an HMAC-SHA1 computed independently by openssl', () => {
    const url = 'https://example.com/voice?x=1';
    const params = { To: '+15550100', From: '+15550199', CallSid: 'CA123' };
    const data = url + 'CallSidCA123' + 'From+15550199' + 'To+15550100';
    const expected = execFileSync('sh', [
      '-c',
      `printf '%s' "$1" | openssl dgst -sha1 -hmac "$2" -binary | base64`,
      'sh',
      data,
      authToken,
    ])
      .toString()
      .trim();
    expect(computeTwilioSignature(authToken, url, params)).toBe(expected);
    expect(validateTwilioSignature(authToken, expected, url, params)).toBe(true);
    expect(validateTwilioSignature(authToken, `${expected}!!`, url, params)).toBe(false);
    expect(validateTwilioSignature(authToken, expected, `${url}&y=2`, params)).toBe(false);
    expect(validateTwilioSignature(authToken, undefined, url, params)).toBe(false);
  });

  it('accepts a correctly signed upgrade and refuses forged or missing signatures with 403 before any audio', async () => {
    const started = await startServer({ authToken, publicUrl });
    server = started.server;
    const calls: TwilioCall[] = [];
    const rejections: MediaStreamRejection[] = [];
    server.on('call', (c) => calls.push(c));
    server.on('rejected', (r) => rejections.push(r));

    const forged = simulator(started.url, { signature: computeTwilioSignature('wrong-token', publicUrl) });
    await expect(forged.connect()).rejects.toMatchObject({ name: 'SimulatorConnectError', status: 403 });
    const missing = simulator(started.url);
    await expect(missing.connect()).rejects.toBeInstanceOf(SimulatorConnectError);
    // Signed for another URL (e.g. a proxy rewrote the host): refused too.
    const otherUrl = simulator(started.url, { authToken, signatureUrl: 'wss://evil.example.com/media' });
    await expect(otherUrl.connect()).rejects.toMatchObject({ status: 403 });
    expect(calls).toHaveLength(0);
    expect(rejections.map((r) => r.reason)).toEqual(['bad_signature', 'missing_signature', 'bad_signature']);

    const good = simulator(started.url, { authToken, signatureUrl: publicUrl });
    await good.connect();
    await good.until(() => calls.length === 1 && calls[0].active);
    expect(calls[0].callSid).toBe(good.callSid);
    await good.stop();
  });

  it('shares an existing http.Server, leaving its other routes alone', async () => {
    const http = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    server = await createMediaStreamServer({ server: http, path: '/twilio', authToken, publicUrl });
    expect(server.port).toBe(port);
    expect(server.url).toBe(`ws://127.0.0.1:${port}/twilio`);
    const got = new Promise<TwilioCall>((resolve) => server!.once('call', resolve));
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await res.text()).toBe('ok');
    const sim = simulator(`ws://127.0.0.1:${port}/twilio`, { authToken, signatureUrl: publicUrl });
    await sim.connect();
    const call = await got;
    expect((await call.whenStarted()).streamSid).toBe(sim.streamSid);
    await sim.stop();
    await server.close();
    server = undefined;
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('accepts what twilio.validateRequest accepts: explicit default ports, repeated parameters (generated)', () => {
    const { getExpectedTwilioSignature } = twilio;
    expect(
      validateTwilioSignature(
        authToken,
        computeTwilioSignature(authToken, 'https://example.com/hook'),
        'https://example.com:443/hook',
      ),
    ).toBe(true);
    expect(
      validateTwilioSignature(
        authToken,
        computeTwilioSignature(authToken, 'https://example.com:443/hook'),
        'https://example.com/hook',
      ),
    ).toBe(true);
    const segment = fc.stringMatching(/^[a-zA-Z0-9._~!$'()*+,;=%-]{0,8}$/);
    // Twilio signs one form of the URL; the server checks the form it was configured with: same URL, the
    // port written or not.
    const urls = fc
      .record({
        scheme: fc.constantFrom('https', 'http', 'wss'),
        host: fc.constantFrom('example.com', 'voice.example.org', '127.0.0.1', '[::1]'),
        signedPort: fc.constantFrom('', ':443', ':80', ':8443'),
        checkedPort: fc.constantFrom('', ':443', ':80', ':8443'),
        path: fc.array(segment, { maxLength: 3 }),
        query: fc.option(fc.array(fc.tuple(segment, fc.string({ maxLength: 6 })), { maxLength: 3 })),
      })
      .map(({ scheme, host, signedPort, checkedPort, path, query }) => {
        const rest = `/${path.join('/')}${
          query ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''
        }`;
        return [
          `${scheme}://${host}${signedPort}${rest}`,
          `${scheme}://${host}${checkedPort}${rest}`,
        ] as const;
      });
    const params = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(urls, params, ([signedUrl, target], p) => {
        const signature = getExpectedTwilioSignature(authToken, signedUrl, p);
        const theirs = twilio.validateRequest(authToken, signature, target, p);
        const ours = validateTwilioSignature(authToken, signature, target, p);
        if (theirs) expect(ours).toBe(true);
        // wss:// URLs are also tried with :443 (twilio only adds :80 to non-https schemes): a superset there.
        if (!target.startsWith('wss:')) expect(ours).toBe(theirs);
        expect(validateTwilioSignature(authToken, `${signature}x`, target, p)).toBe(false);
        expect(validateTwilioSignature('other-token', signature, target, p)).toBe(false);
      }),
      { numRuns: 400 },
    );
    // The generator reaches both outcomes (a property that only ever saw `false` would prove nothing).
    const outcomes = new Set<boolean>();
    fc.assert(
      fc.property(urls, params, ([signedUrl, target], p) => {
        outcomes.add(
          twilio.validateRequest(
            authToken,
            twilio.getExpectedTwilioSignature(authToken, signedUrl, p),
            target,
            p,
          ),
        );
      }),
      { numRuns: 100 },
    );
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  it('checks HMAC-SHA256 signatures (SharedKey webhooks, bodySHA256 JSON webhooks) like twilio', () => {
    const body = '{"event":"x"}';
    const hash = twilio.getExpectedBodyHash(body);
    const url = `https://example.com/hook?bodySHA256=${hash}`;
    const sha256 = twilio.getExpectedTwilioSignature(authToken, url, {}, 'HMAC_SHA256');
    expect(computeTwilioSignature(authToken, url, {}, 'HMAC_SHA256')).toBe(sha256);
    expect(validateTwilioSignature(authToken, sha256, url, {}, { algorithm: 'HMAC_SHA256' })).toBe(true);
    expect(validateTwilioSignature(authToken, sha256, url)).toBe(false);
    expect(twilio.validateRequestWithBody(authToken, sha256, url, body, 'HMAC_SHA256')).toBe(true);
    expect(validateTwilioRequestWithBody(authToken, sha256, url, body, { algorithm: 'HMAC_SHA256' })).toBe(
      true,
    );
    expect(
      validateTwilioRequestWithBody(authToken, sha256, url, `${body} `, { algorithm: 'HMAC_SHA256' }),
    ).toBe(false);
    // Generated JSON bodies and URLs: the same verdict as twilio.validateRequestWithBody.
    fc.assert(
      fc.property(
        fc.json(),
        fc.boolean(),
        fc.constantFrom('https://example.com/hook', 'https://example.com:443/hook?x=1'),
        fc.constantFrom('HMAC_SHA1' as const, 'HMAC_SHA256' as const),
        (json, tamper, base, algorithm) => {
          const hashed = `${base}${base.includes('?') ? '&' : '?'}bodySHA256=${twilio.getExpectedBodyHash(json)}`;
          const sig = twilio.getExpectedTwilioSignature(authToken, hashed, {}, algorithm);
          const received = tamper ? `${json}x` : json;
          const theirs = twilio.validateRequestWithBody(authToken, sig, hashed, received, algorithm);
          expect(validateTwilioRequestWithBody(authToken, sig, hashed, received, { algorithm })).toBe(theirs);
          expect(theirs).toBe(!tamper);
        },
      ),
      { numRuns: 200 },
    );
    expect(signatureAlgorithm('key=webhooks_sharedkey_1,algorithm=HMAC_SHA256')).toBe('HMAC_SHA256');
    expect(signatureAlgorithm(undefined)).toBe('HMAC_SHA1');
    expect(signatureAlgorithm('algorithm=HMAC_MD5')).toBeUndefined();
  });

  it('accepts a Media Streams upgrade signed with a SharedKey (HMAC-SHA256) and refuses it without the secret', async () => {
    const sharedKeySecret = 'shared-key-secret';
    const started = await startServer({ authToken, publicUrl, sharedKeySecret });
    server = started.server;
    const rejections: MediaStreamRejection[] = [];
    server.on('rejected', (r) => rejections.push(r));
    const signature = computeTwilioSignature(sharedKeySecret, publicUrl, {}, 'HMAC_SHA256');
    const headers = {
      'x-twilio-webhooks-signature-settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256',
    };
    const good = simulator(started.url, { signature, headers });
    await good.connect();
    await good.stop();
    // Signed with the auth token but claiming the SharedKey: refused.
    const wrongKey = simulator(started.url, {
      signature: computeTwilioSignature(authToken, publicUrl, {}, 'HMAC_SHA256'),
      headers,
    });
    await expect(wrongKey.connect()).rejects.toMatchObject({ status: 403 });
    const unknownAlgorithm = simulator(started.url, {
      signature,
      headers: { 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' },
    });
    await expect(unknownAlgorithm.connect()).rejects.toMatchObject({ status: 403 });
    expect(rejections.map((r) => r.reason)).toEqual(['bad_signature', 'unsupported_signature']);
  });

  it('refuses to start without publicUrl when checking signatures', async () => {
    await expect(createMediaStreamServer({ port: 0, authToken })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/publicUrl/),
    });
  });
});
