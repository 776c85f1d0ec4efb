import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioRest, TwilioRestError, twiml } from '../src/index.js';

interface Seen {
  method: string;
  url: string;
  auth: string;
  type: string;
  form: Record<string, string>;
  /** Every value of every parameter, in order (repeated parameters keep all their values). */
  all: [string, string][];
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
        all: [...new URLSearchParams(body)],
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

/**
 * The official client, sending over its own HTTP stack (axios) to the local server instead of api.twilio.com:
 * its RequestClient is kept, only the origin of each request's URI is swapped.
 */
function officialClient(accountSid: string, authToken: string): twilio.Twilio {
  const local = new URL(base).origin;
  class LocalRequestClient extends twilio.RequestClient {
    override request<T>(opts: RequestClient.RequestOptions<T>) {
      return super.request<T>({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, local) });
    }
  }
  return twilio(accountSid, authToken, { httpClient: new LocalRequestClient() });
}

/** Every `Calls` create parameter the installed `twilio` package sends: API name → its camelCase option. */
function officialCallParams(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('twilio/lib/rest/api/v2010/account/call.js'), 'utf8');
  const create = source.slice(source.indexOf('instance.create = function create'));
  const body = create.slice(0, create.indexOf('instance.createWithHttpInfo'));
  const names = new Map<string, string>();
  for (const m of body.matchAll(/data\["(\w+)"\] =\s*(?:[\w.]+\()?params\["(\w+)"\]/g)) names.set(m[1], m[2]);
  return names;
}

describe('TwilioRest with the official twilio client', () => {
  it('passes extra parameters by API name through calls.create() onto the wire', async () => {
    const client = officialClient('AC00000000000000000000000000000001', 'tok');
    const rest = new TwilioRest({
      accountSid: 'AC00000000000000000000000000000001',
      authToken: 'tok',
      client,
    });
    const res = await rest.createCall({
      to: '+15550100',
      from: '+15550199',
      url: 'https://example.com/answer',
      extra: { Timeout: '20', MachineDetection: 'Enable', StatusCallbackEvent: ['initiated', 'answered'] },
    });
    expect(res.sid).toBe('CA0123');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json',
      auth: basic('AC00000000000000000000000000000001', 'tok'),
      form: {
        To: '+15550100',
        From: '+15550199',
        Url: 'https://example.com/answer',
        Timeout: '20',
        MachineDetection: 'Enable',
      },
    });
    expect(seen[0].all.filter(([k]) => k === 'StatusCallbackEvent').map(([, v]) => v)).toEqual([
      'initiated',
      'answered',
    ]);
    await rest.hangup('CA0123');
    expect(seen[1]).toMatchObject({
      url: '/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls/CA0123.json',
      form: { Status: 'completed' },
    });
  });

  it('sends every Calls parameter the official client knows, named as by fetch', async () => {
    const names = officialCallParams();
    // The list is read from the installed package: an empty or tiny list means the reader broke.
    expect(names.size).toBeGreaterThan(30);
    expect(names.get('MachineDetection')).toBe('machineDetection');
    const extra: Record<string, string> = {};
    for (const api of names.keys()) {
      if (api === 'To' || api === 'From' || api === 'Url' || api === 'Twiml' || api === 'ApplicationSid')
        continue;
      extra[api] = api === 'Record' ? 'true' : `v-${api}`;
    }
    const viaClient = new TwilioRest({
      accountSid: 'AC1',
      authToken: 't',
      client: officialClient('AC1', 't'),
    });
    const viaFetch = new TwilioRest({ accountSid: 'AC1', authToken: 't', baseUrl: base });
    await viaClient.createCall({ to: '1', from: '2', url: 'https://x.example/a', extra });
    await viaFetch.createCall({ to: '1', from: '2', url: 'https://x.example/a', extra });
    expect(seen).toHaveLength(2);
    expect(seen[0].form).toEqual(seen[1].form);
    for (const api of Object.keys(extra)) expect(seen[0].form[api], api).toBe(extra[api]);
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
