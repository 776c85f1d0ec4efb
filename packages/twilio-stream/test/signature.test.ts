import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  createMediaStreamServer,
  type MediaStreamRejection,
  type MediaStreamServer,
  SimulatorConnectError,
  type TwilioCall,
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
    server = createMediaStreamServer({ server: http, path: '/twilio', authToken, publicUrl });
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

  it('refuses to start without publicUrl when checking signatures', () => {
    expect(() => createMediaStreamServer({ port: 0, authToken })).toThrow(/publicUrl/);
  });
});
