import { readFileSync } from 'node:fs';
import { createRealtimeServer, type RealtimeServer } from '@voxwire/realtime-server';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeClientEvent, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, speak } from './helpers.js';

// The official `openai` package's OpenAIRealtimeWS against realtime-server. It always dials wss:// (it
// rewrites the base URL's scheme), so the server serves TLS with a certificate the client trusts. Every
// event sent below is typed by the package's own declarations.

const cert = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));
const API_KEY = 'sk-local-conformance';
const LONG_REPLY =
  'Here is a long answer with many words in it, so that the client holds several seconds of speech it has not played yet when the user cuts in.';

let server: RealtimeServer;
const clients: OpenAIRealtimeWS[] = [];

beforeAll(async () => {
  server = await createRealtimeServer({ tls: { key, cert }, apiKeys: [API_KEY] });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

interface Client {
  rt: OpenAIRealtimeWS;
  events: RealtimeServerEvent[];
  send(event: RealtimeClientEvent): void;
  next<T extends RealtimeServerEvent['type']>(
    type: T,
    pred?: (e: Extract<RealtimeServerEvent, { type: T }>) => boolean,
    from?: number,
  ): Promise<Extract<RealtimeServerEvent, { type: T }>>;
}

async function open(
  props: { model: string } | { intent: 'transcription' } = { model: 'gpt-realtime' },
): Promise<Client> {
  const client = new OpenAI({ apiKey: API_KEY, baseURL: server.baseURL });
  const rt = new OpenAIRealtimeWS(
    { ...props, options: { ca: cert } } as ConstructorParameters<typeof OpenAIRealtimeWS>[0],
    client,
  );
  clients.push(rt);
  const events: RealtimeServerEvent[] = [];
  const waiters: Array<() => void> = [];
  rt.on('event', (e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  // The client emits `error` for error events too; they are recorded through `event` above.
  rt.on('error', () => {});
  const next: Client['next'] = (type, pred = () => true, from = 0) =>
    new Promise((resolve) => {
      const check = () => {
        const hit = events
          .slice(from)
          .find((e) => e.type === type && pred(e as Extract<RealtimeServerEvent, { type: typeof type }>));
        if (hit) resolve(hit as Extract<RealtimeServerEvent, { type: typeof type }>);
        else waiters.push(check);
      };
      check();
    });
  const c: Client = { rt, events, send: (e) => rt.send(e), next };
  await next('session.created');
  return c;
}

function appendSpeech(c: Client, text: string): void {
  const input = concat(new Int16Array(12000), speak(text), new Int16Array(24000));
  for (let i = 0; i < input.length; i += 4800) {
    const chunk = input.subarray(i, i + 4800);
    c.send({
      type: 'input_audio_buffer.append',
      audio: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'),
    });
  }
}

describe('openai OpenAIRealtimeWS against realtime-server', () => {
  it('accepts a session.update with every kind of GA field and keeps all of it', async () => {
    const c = await open();
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'When the user says "hello", reply "Hello from the local server."',
        reasoning: { effort: 'low' },
        parallel_tool_calls: false,
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
        audio: {
          input: {
            transcription: {
              model: 'gpt-4o-transcribe',
              languages: ['en'],
              keywords: ['Paris'],
              delay: 'low',
            },
            noise_reduction: { type: 'far_field' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
          output: { voice: 'marin', speed: 1 },
        },
      },
    });
    const updated = await c.next('session.updated');
    expect(updated.session).toMatchObject({
      reasoning: { effort: 'low' },
      parallel_tool_calls: false,
      audio: { input: { transcription: { languages: ['en'], keywords: ['Paris'], delay: 'low' } } },
    });
    c.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    });
    c.send({
      type: 'response.create',
      response: { reasoning: { effort: 'minimal' }, parallel_tool_calls: true },
    });
    const transcript = await c.next('response.output_audio_transcript.done');
    expect(transcript.transcript).toBe('Hello from the local server.');
    expect(c.events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('runs a tool call and speaks the result', async () => {
    const c = await open();
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
        audio: { input: { turn_detection: null } },
      },
    });
    c.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'What is the weather in Paris?' }],
      },
    });
    c.send({ type: 'response.create' });
    const args = await c.next('response.function_call_arguments.done');
    expect(JSON.parse(args.arguments)).toEqual({ city: 'Paris' });
    c.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: args.call_id, output: '{"conditions":"sunny"}' },
    });
    c.send({ type: 'response.create' });
    const spoken = await c.next(
      'response.output_audio_transcript.done',
      (e) => e.response_id !== args.response_id,
    );
    expect(spoken.transcript).toContain('sunny');
  });

  it('detects a spoken turn with server VAD and answers it; barge-in with seconds buffered is truncated', async () => {
    const c = await open();
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: `When the user says "weather", reply "${LONG_REPLY}"`,
        audio: { input: { turn_detection: { type: 'server_vad', interrupt_response: true } } },
      },
    });
    await c.next('session.updated');
    appendSpeech(c, 'what is the weather in Paris');
    const added = await c.next('response.output_item.added');
    const itemId = added.item.id as string;
    let received = 0;
    await new Promise<void>((resolve) => {
      const onEvent = (e: RealtimeServerEvent) => {
        if (e.type === 'response.output_audio.delta' && e.item_id === itemId)
          received += (e.delta.length * 3) / 4 / 48;
        if (received >= 3000) {
          c.rt.off('event', onEvent);
          resolve();
        }
      };
      c.rt.on('event', onEvent);
    });
    // The user cuts in after 600 ms of playback, with more than 2 s of audio still queued at the client.
    const from = c.events.length;
    c.send({ type: 'response.cancel' });
    c.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 600 });
    const truncated = await c.next('conversation.item.truncated', () => true, from);
    expect(truncated.audio_end_ms).toBe(600);
    const done = await c.next('response.done', () => true, from);
    expect(done.response.status).toBe('cancelled');
    const item = await c.next('conversation.item.done', (e) => e.item.id === itemId, from);
    const part = item.item.type === 'message' ? item.item.content[0] : undefined;
    const heard = part && 'transcript' in part ? (part.transcript ?? '') : '';
    expect(LONG_REPLY.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(LONG_REPLY.length / 2);
    expect(c.events.slice(from).filter((e) => e.type === 'error')).toEqual([]);
  });

  it('takes an image part into the conversation', async () => {
    const c = await open();
    c.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is this?' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
        ],
      },
    });
    const added = await c.next('conversation.item.added');
    expect(added.item.type === 'message' && added.item.content[1]).toMatchObject({ type: 'input_image' });
  });

  it('answers bad events with typed errors and keeps the session', async () => {
    const c = await open();
    c.send({
      type: 'conversation.item.truncate',
      item_id: 'item_unknown',
      content_index: 0,
      audio_end_ms: 10,
    });
    c.send({ type: 'response.cancel' });
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { speed: 9 } } } });
    await c.next('error', () => c.events.filter((e) => e.type === 'error').length >= 3);
    const codes = c.events.flatMap((e) => (e.type === 'error' ? [e.error.code] : []));
    expect(codes).toEqual(['item_truncate_invalid_item_id', 'response_cancel_not_active', 'invalid_value']);
    c.send({ type: 'response.create', response: { conversation: 'none', output_modalities: ['text'] } });
    const done = await c.next('response.done');
    expect(done.response.status).toBe('completed');
    // Out-of-band: no conversation (the type says string, the service and its docs say null).
    expect(done.response.conversation_id ?? null).toBeNull();
  });

  it("transcribes in a transcription session (intent: 'transcription') and creates no response", async () => {
    const c = await open({ intent: 'transcription' });
    const created = c.events[0];
    expect(created.type === 'session.created' && created.session.type).toBe('transcription');
    c.send({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: { input: { transcription: { model: 'gpt-4o-transcribe', language: 'en' } } },
      },
    });
    await c.next('session.updated');
    appendSpeech(c, 'hello');
    const committed = await c.next('input_audio_buffer.committed');
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    expect(completed.item_id).toBe(committed.item_id);
    expect(typeof completed.transcript).toBe('string');
    c.send({ type: 'response.create' });
    await c.next('error');
    expect(c.events.some((e) => e.type === 'response.created')).toBe(false);
  });
});
