import type {
  CLIENT_EVENT_TYPES,
  ConversationItem,
  RealtimeErrorBody,
  RealtimeResponseObject,
  RealtimeSessionConfig,
} from '@voxwire/realtime-protocol';
import type {
  ConversationItem as OpenAIConversationItem,
  RealtimeClientEvent,
  RealtimeErrorEvent,
  RealtimeResponse,
  RealtimeServerEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRealtimeServer, NullTranscriber, ScriptedResponder } from '../src/index.js';
import { concat, RawClient, speak } from './helpers.js';

// Every server event type this server emits, checked against the official package's union at compile time.
const EMITTED = [
  'session.created',
  'session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.deleted',
  'conversation.item.retrieved',
  'conversation.item.truncated',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_audio.delta',
  'response.output_audio.done',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'output_audio_buffer.cleared',
  'rate_limits.updated',
  'error',
] as const satisfies ReadonlyArray<RealtimeServerEvent['type']>;

/** `true` when every member of A is assignable to B (distributes over unions), else `boolean`/`false`. */
type Assignable<A, B> = A extends B ? true : false;
/**
 * The real service sends `null` for unset fields (`transcription`, `noise_reduction`, a user audio part's
 * `transcript` before transcription), as this server does; the SDK's server-event types reuse request types
 * that say "optional" instead. Compare with nulls read as absent.
 */
type NullAsAbsent<T> = T extends null
  ? undefined
  : T extends readonly (infer E)[]
    ? NullAsAbsent<E>[]
    : T extends object
      ? { [K in keyof T]: NullAsAbsent<T[K]> }
      : T;

describe('conformance with the official openai types', () => {
  it('uses shapes assignable to the openai package types', () => {
    // Compile-time checks (tsc --noEmit over test/): each line fails to type-check if a shape drifts.
    const session: Assignable<NullAsAbsent<RealtimeSessionConfig>, RealtimeSessionCreateRequest> = true;
    const response: Assignable<NullAsAbsent<RealtimeResponseObject>, RealtimeResponse> = true;
    const item: Assignable<NullAsAbsent<ConversationItem>, OpenAIConversationItem> = true;
    const error: Assignable<RealtimeErrorBody, RealtimeErrorEvent['error']> = true;
    expect([session, response, item, error]).toEqual([true, true, true, true]);
    // The client events we accept are exactly the official client event types.
    expectTypeOf<(typeof CLIENT_EVENT_TYPES)[number]>().toEqualTypeOf<RealtimeClientEvent['type']>();
  });

  it('emits only official server event types, each with an event_id, over a full session', async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: {
        transcriber: new NullTranscriber(),
        responder: new ScriptedResponder([
          { toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] },
          { text: 'Done looking.' },
          { text: 'Plain text.' },
        ]),
      },
    });
    const c = await RawClient.connect(server.url);
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { transcription: { model: 'whisper-1' } } },
        tools: [
          {
            type: 'function',
            name: 'lookup',
            parameters: { type: 'object', properties: { q: { type: 'string' } } },
          },
        ],
      },
    });
    c.appendAudio(concat(speak('look it up'), new Int16Array(24000)));
    const args = await c.next('response.function_call_arguments.done');
    await c.next('response.done');
    c.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: args.call_id, output: '"ok"' },
    });
    c.send({ type: 'response.create' });
    await c.next(
      'response.done',
      (e) => (e.response as { output: Array<{ type: string }> }).output[0]?.type === 'message',
    );
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const text = await c.next('response.output_text.done');
    c.send({ type: 'conversation.item.retrieve', item_id: text.item_id });
    c.send({ type: 'conversation.item.delete', item_id: text.item_id });
    c.send({ type: 'input_audio_buffer.clear' });
    c.send({ type: 'output_audio_buffer.clear' });
    c.send({ type: 'nope' });
    await c.next('error');
    await c.next('conversation.item.input_audio_transcription.completed');
    const seen = new Set(c.events.map((e) => e.type));
    for (const type of seen) expect(EMITTED as readonly string[]).toContain(type);
    for (const e of c.events) expect(e.event_id).toMatch(/^event_/);
    // The session exercised most of the protocol.
    expect(seen.size).toBeGreaterThanOrEqual(24);
    c.close();
    await server.close();
  });
});
