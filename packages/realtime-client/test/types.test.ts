// Type-level proof that what this client sends is what the official SDK calls a client event. `tsc --noEmit`
// (the package's typecheck) fails if any of these assignments stops compiling; vitest runs the runtime part.
import type {
  RealtimeClientEvent as OpenAIClientEvent,
  RealtimeServerEvent as OpenAIServerEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  ClientEvent,
  ConversationItemCreateEvent,
  ConversationItemDeleteEvent,
  ConversationItemRetrieveEvent,
  ConversationItemTruncateEvent,
  InputAudioBufferAppendEvent,
  InputAudioBufferClearEvent,
  InputAudioBufferCommitEvent,
  OutputAudioBufferClearEvent,
  ResponseCancelEvent,
  ResponseCreateEvent,
  ServerEventType,
  SessionConfig,
  SessionUpdateEvent,
} from '../src/index.js';
import { SERVER_EVENT_TYPES } from '../src/index.js';

type Assignable<A, B> = [A] extends [B] ? true : false;

describe('client events are assignable to openai RealtimeClientEvent', () => {
  it('the whole union and every member', () => {
    expectTypeOf<ClientEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<SessionUpdateEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<InputAudioBufferAppendEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<InputAudioBufferCommitEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<InputAudioBufferClearEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ConversationItemCreateEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ConversationItemTruncateEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ConversationItemDeleteEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ConversationItemRetrieveEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ResponseCreateEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<ResponseCancelEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<OutputAudioBufferClearEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<SessionConfig>().toExtend<RealtimeSessionCreateRequest>();
    const check: Assignable<ClientEvent, OpenAIClientEvent> = true;
    expect(check).toBe(true);
  });

  it('every client event type the SDK defines is one we can send', () => {
    expectTypeOf<OpenAIClientEvent['type']>().toEqualTypeOf<ClientEvent['type']>();
  });

  it('every server event name we know is a GA server event name of the SDK', () => {
    expectTypeOf<ServerEventType>().toExtend<OpenAIServerEvent['type']>();
    // And at run time the list matches the type (no stale names).
    const names: ServerEventType[] = [...SERVER_EVENT_TYPES] as ServerEventType[];
    expect(names.length).toBe(SERVER_EVENT_TYPES.size);
    expect(names).toContain('response.output_audio.delta');
    expect(names).not.toContain('response.audio.delta');
  });
});
