import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenAIRealtimeWebSocket, type RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import WebSocket from 'ws';

/** A raw server event. */
export type RawEvent = { type: string; [field: string]: unknown };

type ParseResult = { data: unknown; isGeneric: boolean };
/**
 * The Agents SDK's own parser of server events (its zod schema), from the installed package: an event it
 * parses only as "generic" (or not at all) is one the SDK does not understand.
 */
export async function sdkEventParser(): Promise<(json: string) => ParseResult> {
  const entry = createRequire(import.meta.url).resolve('@openai/agents-realtime');
  const mod = (await import(pathToFileURL(join(dirname(entry), 'openaiRealtimeEvents.mjs')).href)) as {
    parseRealtimeEvent(event: { data: string }): ParseResult;
  };
  return (json) => mod.parseRealtimeEvent({ data: json });
}

// Polls the SDK's getters (it reports state through them and events) until they hold.
export { waitUntil as until } from '@voxwire/test-support';
// Speech and PCM helpers are realtime-server's own test helpers (same espeak-ng voice, same resampler).
export { concat, speak } from '../../packages/realtime-server/test/helpers.js';

/** An Agents SDK session connected to a local server, with every raw server event recorded. */
export interface AgentsSession {
  session: RealtimeSession;
  transport: OpenAIRealtimeWebSocket;
  /** Every server event as it arrived on the socket, before the SDK parsed it. */
  raw: RawEvent[];
  /** `error` events the SDK reported. */
  errors: unknown[];
  /** Resolves with the first raw event (from index `from`) matching. */
  next(type: string, pred?: (e: RawEvent) => boolean, from?: number): Promise<RawEvent>;
}

/**
 * Connects `agent` with the SDK's WebSocket transport to `url` (the server's `?model=` endpoint). By default
 * the socket is the one the SDK would open itself (ws, `Authorization: Bearer`), built here to record every
 * raw event before the SDK parses it; `plain` leaves the transport exactly as documented (events recorded
 * from the transport's `*` stream).
 */
export async function connectAgent(
  agent: RealtimeAgent,
  url: string,
  apiKey: string,
  options: ConstructorParameters<typeof RealtimeSession>[1] = {},
  plain = false,
): Promise<AgentsSession> {
  const raw: RawEvent[] = [];
  const waiters: Array<() => void> = [];
  const record = (event: RawEvent) => {
    raw.push(event);
    for (const w of waiters.splice(0)) w();
  };
  const transport = plain
    ? new OpenAIRealtimeWebSocket()
    : new OpenAIRealtimeWebSocket({
        createWebSocket: async ({ url: target, apiKey: key }) => {
          const ws = new WebSocket(target, { headers: { Authorization: `Bearer ${key}` } });
          ws.on('message', (data) => record(JSON.parse(String(data)) as RawEvent));
          return ws;
        },
      });
  if (plain) transport.on('*', (event) => record(event as RawEvent));
  const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime', ...options });
  const errors: unknown[] = [];
  session.on('error', (e) => errors.push(e));
  await session.connect({ apiKey, url });
  const next = (type: string, pred: (e: RawEvent) => boolean = () => true, from = 0): Promise<RawEvent> =>
    new Promise((resolve) => {
      const check = () => {
        const hit = raw.slice(from).find((e) => e.type === type && pred(e));
        if (hit) resolve(hit);
        else waiters.push(check);
      };
      check();
    });
  return { session, transport, raw, errors, next };
}
