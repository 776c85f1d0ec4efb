import { RealtimeAgent, tool } from '@openai/agents-realtime';
import { createRealtimeServer, type RealtimeServer } from '@voxwire/realtime-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AgentsSession,
  concat,
  connectAgent,
  type RawEvent,
  sdkEventParser,
  speak,
  until,
} from './helpers.js';

// The OpenAI Agents SDK (@openai/agents-realtime) against realtime-server, used as its documentation shows:
// RealtimeAgent + RealtimeSession over the OpenAIRealtimeWebSocket transport, pointed at the local URL.

const API_KEY = 'sk-local-conformance';
const LONG_REPLY =
  'Once upon a time a small robot learned to sing, and it sang every morning to the sunrise, to the birds in the garden, and to anybody who would stop long enough to listen to the whole song.';

let server: RealtimeServer;
const sessions: AgentsSession[] = [];

beforeAll(async () => {
  // Default engines and pacing: espeak-ng speech, pocketsphinx when installed, the rule responder, audio sent
  // ahead of real time like the real service.
  server = await createRealtimeServer({ apiKeys: [API_KEY] });
});
afterAll(async () => {
  for (const s of sessions) s.session.close();
  await server.close();
});

const url = () => `${server.url}?model=gpt-realtime`;

async function open(
  agent: RealtimeAgent,
  options?: Parameters<typeof connectAgent>[3],
  plain = false,
): Promise<AgentsSession> {
  const s = await connectAgent(agent, url(), API_KEY, options, plain);
  sessions.push(s);
  await s.next('session.updated');
  return s;
}

type Content = { type: string; text?: string; transcript?: string | null };
/** The assistant's words in the SDK's own history. */
function assistantWords(s: AgentsSession): string[] {
  return s.session.history.flatMap((item) =>
    item.type === 'message' && item.role === 'assistant'
      ? (item.content as Content[]).map((c) => c.transcript ?? c.text ?? '')
      : [],
  );
}

describe('@openai/agents-realtime against realtime-server', () => {
  it('connects with session.connect({ apiKey, url }) and answers a text turn with speech', async () => {
    const agent = new RealtimeAgent({
      name: 'Greeter',
      instructions: 'When the user says "hello", reply "Hello from the local server."',
    });
    // Exactly as the README shows: a plain transport, the URL given to connect().
    const s = await open(agent, {}, true);
    s.session.sendMessage('hello there');
    await until(() => assistantWords(s).includes('Hello from the local server.'), 'the assistant reply');
    const done = await s.next('response.done');
    expect((done.response as { status: string }).status).toBe('completed');
    expect(s.raw.some((e) => e.type === 'response.output_audio.delta')).toBe(true);
    expect(s.errors).toEqual([]);
  });

  it('runs a tool with zod parameters and speaks its result', async () => {
    const calls: Array<{ city: string }> = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: z.object({ city: z.string().describe('city name') }),
      execute: async ({ city }) => {
        calls.push({ city });
        return `It is sunny and 21 degrees in ${city}.`;
      },
    });
    const agent = new RealtimeAgent({
      name: 'Weather',
      instructions: 'Help with the weather.',
      tools: [getWeather],
    });
    const s = await open(agent);
    s.session.sendMessage('What is the weather in Paris today?');
    await until(() => assistantWords(s).some((w) => w.includes('sunny')), 'the spoken tool result');
    expect(calls).toEqual([{ city: 'Paris' }]);
    const output = s.raw.find(
      (e) =>
        e.type === 'conversation.item.done' && (e.item as { type: string }).type === 'function_call_output',
    );
    expect(output).toBeDefined();
    expect(s.errors).toEqual([]);
  });

  it('answers a spoken turn detected by server VAD (espeak-ng speech in, audio out)', async () => {
    const agent = new RealtimeAgent({
      name: 'Spoken',
      instructions: 'When the user says "weather", reply "It is sunny in the local server."',
    });
    const s = await open(agent);
    const input = concat(new Int16Array(12000), speak('what is the weather in Paris'), new Int16Array(24000));
    for (let i = 0; i < input.length; i += 4800) {
      const chunk = input.slice(i, i + 4800);
      s.session.sendAudio(chunk.buffer);
    }
    const stopped = await s.next('input_audio_buffer.speech_stopped');
    expect(stopped.audio_end_ms).toBeGreaterThan(500);
    const done = await s.next('response.done');
    expect((done.response as { status: string }).status).toBe('completed');
    expect(s.raw.some((e) => e.type === 'response.output_audio.delta')).toBe(true);
    expect(s.errors).toEqual([]);
  });

  it('interrupt() with seconds of audio buffered: truncated at the playback position, transcript cut', async () => {
    const agent = new RealtimeAgent({
      name: 'Storyteller',
      instructions: `When the user says "story", reply "${LONG_REPLY}"`,
    });
    const s = await open(agent);
    let receivedMs = 0;
    s.session.on('audio', (e) => {
      receivedMs += e.data.byteLength / 48; // 24 kHz PCM16: 48 bytes per ms
    });
    s.session.sendMessage('tell me a story');
    // The SDK measures playback from the first delta; the server sends ahead, so the client holds seconds.
    await until(() => receivedMs >= 4000, '4 s of audio received');
    const from = s.raw.length;
    s.session.interrupt();
    const truncated = await s.next('conversation.item.truncated', () => true, from);
    expect(truncated.audio_end_ms as number).toBeLessThan(receivedMs - 2000);
    const done = await s.next('response.done', () => true, from);
    expect((done.response as { status: string }).status).toBe('cancelled');
    expect(s.raw.slice(from).filter((e) => e.type === 'error')).toEqual([]);
    expect(s.errors).toEqual([]);
    const itemDone = await s.next(
      'conversation.item.done',
      (e) => e.item_id === truncated.item_id || (e.item as { id: string }).id === truncated.item_id,
      from,
    );
    const heard = (itemDone.item as { content: Content[] }).content[0].transcript ?? '';
    expect(LONG_REPLY.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(LONG_REPLY.length);
  });

  it('reports a bad event through the SDK and keeps the session working', async () => {
    const agent = new RealtimeAgent({
      name: 'Robust',
      instructions: 'When the user says "ping", reply "Pong."',
    });
    const s = await open(agent);
    s.transport.sendEvent({ type: 'conversation.item.retrieve', item_id: 'item_missing' });
    s.transport.sendEvent({ type: 'no.such.event' });
    await until(() => s.errors.length >= 2, 'two error events');
    const codes = s.raw.filter((e) => e.type === 'error').map((e) => (e.error as { code: string }).code);
    expect(codes).toEqual(['item_retrieve_invalid_item_id', 'invalid_value']);
    s.session.sendMessage('ping');
    await until(() => assistantWords(s).includes('Pong.'), 'the reply after the errors');
  });

  it('adds an image (addImage) and accepts the GA fields the SDK sends (reasoning, parallel tool calls)', async () => {
    const agent = new RealtimeAgent({
      name: 'Looker',
      instructions: 'When the user says "look", reply "Nice picture."',
    });
    const s = await open(agent, {
      config: {
        reasoning: { effort: 'low' },
        parallelToolCalls: false,
        audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' } } },
      },
    });
    const updated = s.raw.filter((e) => e.type === 'session.updated').at(-1) as RawEvent;
    expect(updated.session).toMatchObject({
      instructions: 'When the user says "look", reply "Nice picture."',
      reasoning: { effort: 'low' },
      parallel_tool_calls: false,
    });
    const image =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    s.session.addImage(image, { triggerResponse: false });
    const added = await s.next('conversation.item.added', (e) =>
      ((e.item as { content?: Content[] }).content ?? []).some((c) => c.type === 'input_image'),
    );
    expect(added).toBeDefined();
    s.session.sendMessage('look at this');
    await until(() => assistantWords(s).includes('Nice picture.'), 'the reply after the image');
    expect(s.errors).toEqual([]);
  });

  it('parses every server event it received with the SDK schema (none generic)', async () => {
    const parse = await sdkEventParser();
    const all = sessions.flatMap((s) => s.raw);
    const types = new Set(all.map((e) => e.type));
    // The sessions above exercised the protocol broadly.
    for (const t of [
      'conversation.item.truncated',
      'input_audio_buffer.speech_started',
      'response.function_call_arguments.done',
      'error',
    ])
      expect(types).toContain(t);
    // The SDK's item schema (0.20.0) knows no `input_image` content, so the echo of an image item is generic
    // to it, from the real service as from this one; every other event must parse.
    const hasImage = (e: RawEvent) =>
      ((e.item as { content?: Content[] } | undefined)?.content ?? []).some((c) => c.type === 'input_image');
    const generic = all
      .filter((e) => !hasImage(e) && parse(JSON.stringify(e)).isGeneric)
      .map((e) => JSON.stringify(e).slice(0, 400));
    expect(generic).toEqual([]);
    expect(all.filter(hasImage).length).toBe(2);
  });
});
