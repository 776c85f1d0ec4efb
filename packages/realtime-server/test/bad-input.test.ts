import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '../src/index.js';
import { RawClient } from './helpers.js';

let server: RealtimeServer;
let client: RawClient;

beforeAll(async () => {
  server = await createRealtimeServer({
    pacing: 'fast',
    engines: { responder: new ScriptedResponder([{ text: 'Okay.' }]) },
  });
  client = await RawClient.connect(server.url);
  // Manual turns: no VAD, so appends only fill the buffer.
  client.send({
    type: 'session.update',
    session: { type: 'realtime', audio: { input: { turn_detection: null } } },
  });
  await client.next('session.updated');
});

afterAll(async () => {
  client.close();
  await server.close();
});

/** Sends `event` (or raw text) and returns the error event it causes. */
async function errorFor(event: Record<string, unknown> | string | Buffer): Promise<Record<string, unknown>> {
  const waiting = client.nextNew('error');
  if (typeof event === 'string' || Buffer.isBuffer(event)) client.sendRaw(event);
  else client.send(event);
  const e = await waiting;
  return e.error as Record<string, unknown>;
}

/** The session still works: a session.update round-trips. */
async function stillAlive(): Promise<void> {
  const waiting = client.nextNew('session.updated');
  client.send({ type: 'session.update', session: { type: 'realtime' } });
  await waiting;
  expect(client.ws.readyState).toBe(client.ws.OPEN);
}

describe('malformed and out-of-order client events', () => {
  const cases: Array<{
    name: string;
    event: Record<string, unknown> | string;
    code: string;
    param?: string | null;
  }> = [
    { name: 'bad JSON', event: '{"type": "session.update", ', code: 'invalid_json', param: null },
    { name: 'a JSON array', event: '[1,2,3]', code: 'invalid_type' },
    { name: 'missing type', event: { event_id: 'evt_1' }, code: 'missing_required_parameter', param: 'type' },
    {
      name: 'unknown event type',
      event: { type: 'session.explode', event_id: 'evt_2' },
      code: 'invalid_value',
      param: 'type',
    },
    {
      name: 'non-string event_id',
      event: { type: 'input_audio_buffer.clear', event_id: 5 },
      code: 'invalid_type',
      param: 'event_id',
    },
    {
      name: 'unknown top-level field',
      event: { type: 'input_audio_buffer.clear', event_id: 'evt_3', bogus: 1 },
      code: 'unknown_parameter',
      param: 'bogus',
    },
    {
      name: 'session.update without session',
      event: { type: 'session.update', event_id: 'evt_4' },
      code: 'missing_required_parameter',
      param: 'session',
    },
    {
      name: 'session.update without session.type',
      event: { type: 'session.update', event_id: 'evt_5', session: { instructions: 'x' } },
      code: 'missing_required_parameter',
      param: 'session.type',
    },
    {
      name: 'unknown session field',
      event: { type: 'session.update', event_id: 'evt_6', session: { type: 'realtime', voice: 'alloy' } },
      code: 'unknown_parameter',
      param: 'session.voice',
    },
    {
      name: 'bad input format',
      event: {
        type: 'session.update',
        event_id: 'evt_7',
        session: { type: 'realtime', audio: { input: { format: { type: 'audio/opus' } } } },
      },
      code: 'invalid_value',
      param: 'session.audio.input.format.type',
    },
    {
      name: 'bad pcm rate',
      event: {
        type: 'session.update',
        event_id: 'evt_8',
        session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } } },
      },
      code: 'invalid_value',
      param: 'session.audio.input.format.rate',
    },
    {
      name: 'threshold out of range',
      event: {
        type: 'session.update',
        event_id: 'evt_9',
        session: {
          type: 'realtime',
          audio: { input: { turn_detection: { type: 'server_vad', threshold: 1.5 } } },
        },
      },
      code: 'invalid_value',
      param: 'session.audio.input.turn_detection.threshold',
    },
    {
      name: 'silence duration of wrong type',
      event: {
        type: 'session.update',
        event_id: 'evt_10',
        session: {
          type: 'realtime',
          audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: '500' } } },
        },
      },
      code: 'invalid_type',
      param: 'session.audio.input.turn_detection.silence_duration_ms',
    },
    {
      name: 'tool without name',
      event: {
        type: 'session.update',
        event_id: 'evt_11',
        session: { type: 'realtime', tools: [{ type: 'function' }] },
      },
      code: 'missing_required_parameter',
      param: 'session.tools[0].name',
    },
    {
      name: 'tool_choice naming a missing tool',
      event: {
        type: 'session.update',
        event_id: 'evt_12',
        session: { type: 'realtime', tool_choice: { type: 'function', name: 'nope' } },
      },
      code: 'invalid_value',
      param: 'session.tool_choice.name',
    },
    {
      name: 'output modalities both',
      event: {
        type: 'session.update',
        event_id: 'evt_13',
        session: { type: 'realtime', output_modalities: ['audio', 'text'] },
      },
      code: 'invalid_value',
      param: 'session.output_modalities',
    },
    {
      name: 'append without audio',
      event: { type: 'input_audio_buffer.append', event_id: 'evt_14' },
      code: 'missing_required_parameter',
      param: 'audio',
    },
    {
      name: 'append with non-base64',
      event: { type: 'input_audio_buffer.append', event_id: 'evt_15', audio: 'not base64!!' },
      code: 'invalid_value',
      param: 'audio',
    },
    {
      name: 'append with an odd PCM16 byte count',
      event: {
        type: 'input_audio_buffer.append',
        event_id: 'evt_16',
        audio: Buffer.from([1, 2, 3]).toString('base64'),
      },
      code: 'invalid_value',
      param: 'audio',
    },
    {
      name: 'commit of an empty buffer',
      event: { type: 'input_audio_buffer.commit', event_id: 'evt_17' },
      code: 'input_audio_buffer_commit_empty',
    },
    {
      name: 'item.create without item',
      event: { type: 'conversation.item.create', event_id: 'evt_18' },
      code: 'missing_required_parameter',
      param: 'item',
    },
    {
      name: 'item of unknown type',
      event: { type: 'conversation.item.create', event_id: 'evt_19', item: { type: 'picture' } },
      code: 'invalid_value',
      param: 'item.type',
    },
    {
      name: 'message with bad role',
      event: {
        type: 'conversation.item.create',
        event_id: 'evt_20',
        item: { type: 'message', role: 'robot', content: [] },
      },
      code: 'invalid_value',
      param: 'item.role',
    },
    {
      name: 'assistant message with input_audio',
      event: {
        type: 'conversation.item.create',
        event_id: 'evt_21',
        item: { type: 'message', role: 'assistant', content: [{ type: 'input_audio', audio: '' }] },
      },
      code: 'invalid_value',
      param: 'item.content[0].type',
    },
    {
      name: 'previous_item_id that does not exist',
      event: {
        type: 'conversation.item.create',
        event_id: 'evt_22',
        previous_item_id: 'item_nope',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      },
      code: 'invalid_value',
      param: 'previous_item_id',
    },
    {
      name: 'function_call_output for an unknown call',
      event: {
        type: 'conversation.item.create',
        event_id: 'evt_23',
        item: { type: 'function_call_output', call_id: 'call_nope', output: '{}' },
      },
      code: 'invalid_value',
      param: 'item.call_id',
    },
    {
      name: 'delete of a missing item',
      event: { type: 'conversation.item.delete', event_id: 'evt_24', item_id: 'item_nope' },
      code: 'item_delete_invalid_item_id',
      param: 'item_id',
    },
    {
      name: 'retrieve of a missing item',
      event: { type: 'conversation.item.retrieve', event_id: 'evt_25', item_id: 'item_nope' },
      code: 'item_retrieve_invalid_item_id',
      param: 'item_id',
    },
    {
      name: 'truncate of a missing item',
      event: {
        type: 'conversation.item.truncate',
        event_id: 'evt_26',
        item_id: 'item_nope',
        content_index: 0,
        audio_end_ms: 10,
      },
      code: 'item_truncate_invalid_item_id',
      param: 'item_id',
    },
    {
      name: 'truncate with negative audio_end_ms',
      event: {
        type: 'conversation.item.truncate',
        event_id: 'evt_27',
        item_id: 'item_x',
        content_index: 0,
        audio_end_ms: -1,
      },
      code: 'invalid_value',
      param: 'audio_end_ms',
    },
    {
      name: 'cancel with no active response',
      event: { type: 'response.cancel', event_id: 'evt_28' },
      code: 'response_cancel_not_active',
    },
    {
      name: 'response.create with unknown field',
      event: { type: 'response.create', event_id: 'evt_29', response: { temperature: 0.5 } },
      code: 'unknown_parameter',
      param: 'response.temperature',
    },
    {
      name: 'response.create with bad conversation',
      event: { type: 'response.create', event_id: 'evt_30', response: { conversation: 'conv_other' } },
      code: 'invalid_value',
      param: 'response.conversation',
    },
  ];

  for (const c of cases) {
    it(`answers ${c.name} with an error event and keeps the session`, async () => {
      const err = await errorFor(c.event);
      expect(err.type).toBe('invalid_request_error');
      expect(err.code).toBe(c.code);
      expect(typeof err.message).toBe('string');
      expect((err.message as string).length).toBeGreaterThan(10);
      if (c.param !== undefined) expect(err.param).toBe(c.param);
      const sentId =
        typeof c.event === 'object' && typeof c.event.event_id === 'string' ? c.event.event_id : null;
      expect(err.event_id).toBe(sentId);
      await stillAlive();
    });
  }

  it('answers a binary frame with an error', async () => {
    const err = await errorFor(Buffer.from([0, 1, 2]));
    expect(err.code).toBe('invalid_type');
    await stillAlive();
  });

  it('refuses a second response.create while one is active, naming the active response', async () => {
    const created = client.nextNew('response.created');
    client.send({ type: 'response.create', event_id: 'evt_r1' });
    const first = await created;
    const err = await errorFor({ type: 'response.create', event_id: 'evt_r2' });
    expect(err.code).toBe('conversation_already_has_active_response');
    expect(err.event_id).toBe('evt_r2');
    expect(err.message).toContain((first.response as { id: string }).id);
    await client.next(
      'response.done',
      (e) => (e.response as { id: string }).id === (first.response as { id: string }).id,
    );
  });

  it('keeps a failed session.update atomic: nothing of it is applied', async () => {
    await errorFor({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'changed',
        audio: { input: { format: { type: 'audio/bogus' } } },
      },
    });
    const updated = client.nextNew('session.updated');
    client.send({ type: 'session.update', session: { type: 'realtime' } });
    const s = (await updated).session as { instructions: string };
    expect(s.instructions).not.toBe('changed');
  });
});
