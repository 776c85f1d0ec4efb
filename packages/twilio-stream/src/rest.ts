import { TwilioRestError, TwilioStreamError } from './errors.js';

/**
 * What {@link TwilioRest} hands to the official client's `calls.create()`: its camelCase options (`to`,
 * `from`, `url` or `twiml`, `statusCallback`, and `extra` under their option names).
 */
export interface TwilioClientCallOptions {
  to: string;
  from: string;
  url?: string;
  twiml?: string;
  statusCallback?: string;
}

/** The parts of the official `twilio` client that {@link TwilioRest} uses (pass `twilio(sid, token)`). */
export interface TwilioClientLike {
  calls: {
    (sid: string): { update(params: { status: 'completed' | 'canceled' }): Promise<unknown> };
    create(params: TwilioClientCallOptions): Promise<{ sid: string; status?: string }>;
  };
}

/** A fetch implementation (the global `fetch` by default). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

/** Options of {@link TwilioRest}. */
export interface TwilioRestOptions {
  /** Account SID (`AC…`). */
  accountSid: string;
  /** Auth token (or an API key secret with `username` set to the key SID). */
  authToken: string;
  /** Basic-auth user when it is not the account SID (an API key SID). */
  username?: string;
  /** API base (default `https://api.twilio.com/2010-04-01`); point it at a local server in tests. */
  baseUrl?: string;
  /** fetch to use (default the global one). */
  fetch?: FetchLike;
  /** Use the official `twilio` package's client instead of fetch. */
  client?: TwilioClientLike;
}

/** Parameters of {@link TwilioRest.createCall}. */
export interface CreateCallParams {
  /** Number, SIP address or client to call. */
  to: string;
  /** Your Twilio number. */
  from: string;
  /** URL that returns TwiML when the call connects (one of `url` / `twiml`). */
  url?: string;
  /** TwiML to run when the call connects, e.g. `twiml.connectStream(...)`. */
  twiml?: string;
  /** Optional status callback URL. */
  statusCallback?: string;
  /**
   * Any other Twilio `Calls` parameter, by its API name (e.g. `Timeout`, `MachineDetection`); an array is
   * a repeated parameter (e.g. `StatusCallbackEvent: ['initiated', 'answered']`). With the official client
   * the names are passed as its camelCase options (`TIMEOUT`, `machineDetection`), which it sends under
   * the same API names.
   */
  extra?: Readonly<Record<string, string | readonly string[]>>;
}

/** The answer to a call creation. */
export interface TwilioCallResource {
  /** Call SID (`CA…`). */
  sid: string;
  /** Twilio status, e.g. `queued`. */
  status: string;
  /** The whole JSON body (fetch mode) or the client's object. */
  raw: unknown;
}

const DEFAULT_BASE = 'https://api.twilio.com/2010-04-01';

/**
 * Minimal Twilio REST client for call control: place a call and hang one up, over fetch with HTTP Basic auth
 * and form encoding, or through the official client when you pass one.
 */
export class TwilioRest {
  private readonly opts: TwilioRestOptions;
  private readonly base: string;

  constructor(options: TwilioRestOptions) {
    if (!options.accountSid || !options.authToken) {
      throw new TwilioStreamError('INVALID_CONFIG', 'TwilioRest needs accountSid and authToken');
    }
    this.opts = options;
    this.base = (options.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');
  }

  /**
   * Places an outbound call (`POST /Accounts/{AC}/Calls.json`).
   * @throws TwilioStreamError `INVALID_ARGUMENT` unless exactly one of `url`/`twiml` is given
   * @throws TwilioRestError `HTTP_ERROR` on a non-2xx answer, `INVALID_RESPONSE` on a body that is not JSON
   */
  async createCall(params: CreateCallParams): Promise<TwilioCallResource> {
    if ((params.url === undefined) === (params.twiml === undefined)) {
      throw new TwilioStreamError('INVALID_ARGUMENT', 'createCall needs exactly one of url or twiml');
    }
    if (this.opts.client) {
      const options: TwilioClientCallOptions = {
        to: params.to,
        from: params.from,
        ...(params.url !== undefined ? { url: params.url } : { twiml: params.twiml }),
        ...(params.statusCallback !== undefined ? { statusCallback: params.statusCallback } : {}),
        ...clientOptions(params.extra),
      };
      const res = await this.opts.client.calls.create(options);
      return { sid: res.sid, status: res.status ?? '', raw: res };
    }
    const form = new URLSearchParams({ To: params.to, From: params.from });
    if (params.url !== undefined) form.set('Url', params.url);
    if (params.twiml !== undefined) form.set('Twiml', params.twiml);
    if (params.statusCallback !== undefined) form.set('StatusCallback', params.statusCallback);
    for (const [name, value] of Object.entries(params.extra ?? {})) {
      if (typeof value === 'string') form.set(name, value);
      else {
        form.delete(name);
        for (const v of value) form.append(name, v);
      }
    }
    const body = await this.post(`/Accounts/${encodeURIComponent(this.opts.accountSid)}/Calls.json`, form);
    return { sid: String(body.sid ?? ''), status: String(body.status ?? ''), raw: body };
  }

  /**
   * Ends a call (`POST /Accounts/{AC}/Calls/{CA}.json` with `Status=completed`, or `canceled` for one not
   * answered yet).
   * @throws TwilioRestError `HTTP_ERROR` on a non-2xx answer, `INVALID_RESPONSE` on a body that is not JSON
   */
  async hangup(callSid: string, status: 'completed' | 'canceled' = 'completed'): Promise<void> {
    if (!callSid) throw new TwilioStreamError('INVALID_ARGUMENT', 'hangup needs a call SID');
    if (this.opts.client) {
      await this.opts.client.calls(callSid).update({ status });
      return;
    }
    await this.post(
      `/Accounts/${encodeURIComponent(this.opts.accountSid)}/Calls/${encodeURIComponent(callSid)}.json`,
      new URLSearchParams({ Status: status }),
    );
  }

  private async post(path: string, form: URLSearchParams): Promise<Record<string, unknown>> {
    const doFetch = this.opts.fetch ?? (globalThis.fetch as unknown as FetchLike);
    const auth = Buffer.from(`${this.opts.username ?? this.opts.accountSid}:${this.opts.authToken}`).toString(
      'base64',
    );
    const res = await doFetch(this.base + path, {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      if (res.ok)
        throw new TwilioRestError('INVALID_RESPONSE', `Twilio answered with non-JSON: ${text.slice(0, 80)}`, {
          status: res.status,
        });
    }
    if (!res.ok) {
      const message = typeof json.message === 'string' ? json.message : `HTTP ${res.status}`;
      throw new TwilioRestError('HTTP_ERROR', `Twilio REST ${path}: ${message}`, {
        status: res.status,
        twilioCode: typeof json.code === 'number' ? json.code : undefined,
        moreInfo: typeof json.more_info === 'string' ? json.more_info : undefined,
      });
    }
    return json;
  }
}

/**
 * The official client's `calls.create()` reads camelCase options and sends each under its API name
 * (`TIMEOUT` → `Timeout`); it drops keys it does not know, so API names are turned into its option names.
 */
function clientOptions(extra: CreateCallParams['extra']): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(extra ?? {})) {
    out[name.charAt(0).toLowerCase() + name.slice(1)] = value;
  }
  return out;
}
