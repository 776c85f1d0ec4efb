import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioRest, TwilioRestError, twiml } from '../src/index.js';

interface Seen {
  method: string;
  url: string;
  auth: string;
  type: string;
  form: Record<string, string>;
}

// A local HTTP server standing in for api.twilio.com.
let api: Server;
let base: string;
let seen: Seen[];
let answer: { status: number; body: unknown };

beforeEach(async () => {
  seen = [];
  answer = { status: 201, body: { sid: 'CA0123', status: 'queued' } };
  api = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization ?? '',
        type: req.headers['content-type'] ?? '',
        form: Object.fromEntries(new URLSearchParams(body)),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/2010-04-01`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('TwilioRest over fetch', () => {
  it('creates a call with form-encoded TwiML and Basic auth', async () => {
    const rest = new TwilioRest({ accountSid: 'AC1', authToken: 'tok&en', baseUrl: base });
    const xml = twiml.connectStream({ url: 'wss://voice.example.com/media', parameters: { who: 'a&b' } });
    const call = await rest.createCall({
      to: '+15550100',
      from: '+15550199',
      twiml: xml,
      extra: { Timeout: '20' },
    });
    expect(call).toMatchObject({ sid: 'CA0123', status: 'queued' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/2010-04-01/Accounts/AC1/Calls.json',
      auth: basic('AC1', 'tok&en'),
      type: 'application/x-www-form-urlencoded',
      form: { To: '+15550100', From: '+15550199', Twiml: xml, Timeout: '20' },
    });
  });

  it('hangs up with Status=completed (or canceled)', async () => {
    answer = { status: 200, body: { sid: 'CA9', status: 'completed' } };
    const rest = new TwilioRest({ accountSid: 'AC1', authToken: 't', username: 'SK7', baseUrl: base });
    await rest.hangup('CA9');
    await rest.hangup('CA9', 'canceled');
    expect(seen.map((s) => [s.url, s.form.Status, s.auth])).toEqual([
      ['/2010-04-01/Accounts/AC1/Calls/CA9.json', 'completed', basic('SK7', 't')],
      ['/2010-04-01/Accounts/AC1/Calls/CA9.json', 'canceled', basic('SK7', 't')],
    ]);
  });

  it('turns a Twilio error body into a TwilioRestError', async () => {
    answer = {
      status: 401,
      body: {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      },
    };
    const rest = new TwilioRest({ accountSid: 'AC1', authToken: 'bad', baseUrl: base });
    const err = await rest.createCall({ to: '1', from: '2', url: 'https://x/y' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwilioRestError);
    expect(err).toMatchObject({
      status: 401,
      twilioCode: 20003,
      message: expect.stringMatching(/Authenticate/),
    });
    await expect(rest.createCall({ to: '1', from: '2' })).rejects.toThrow(/exactly one of url or twiml/);
  });

  it('uses the official client shape when one is given', async () => {
    const made: unknown[] = [];
    const updates: [string, unknown][] = [];
    const calls = Object.assign(
      (sid: string) => ({ update: async (p: unknown) => void updates.push([sid, p]) }),
      {
        create: async (p: unknown) => {
          made.push(p);
          return { sid: 'CA77', status: 'queued' };
        },
      },
    );
    const rest = new TwilioRest({ accountSid: 'AC1', authToken: 't', client: { calls } });
    expect((await rest.createCall({ to: 'a', from: 'b', url: 'https://x' })).sid).toBe('CA77');
    await rest.hangup('CA77');
    expect(made).toEqual([{ to: 'a', from: 'b', url: 'https://x' }]);
    expect(updates).toEqual([['CA77', { status: 'completed' }]]);
    expect(seen).toHaveLength(0);
  });
});

describe('twiml.connectStream', () => {
  it('builds <Connect><Stream> with escaped parameters', () => {
    expect(twiml.connectStream({ url: 'wss://h.example/m', parameters: { a: '1', 'b"': '<&>' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://h.example/m">' +
        '<Parameter name="a" value="1"/><Parameter name="b&quot;" value="&lt;&amp;&gt;"/></Stream></Connect></Response>',
    );
    expect(twiml.connectStream({ url: 'wss://h.example/m' })).toContain('<Stream url="wss://h.example/m"/>');
  });

  it('refuses URLs Twilio would not honour', () => {
    expect(() => twiml.connectStream({ url: 'ws://h.example/m' })).toThrow(/wss/);
    expect(() => twiml.connectStream({ url: 'wss://h.example/m?token=1' })).toThrow(/query string/);
    expect(() => twiml.connectStream({ url: 'not a url' })).toThrow(/not a URL/);
  });
});
