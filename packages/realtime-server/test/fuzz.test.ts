import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSegmenter, FormantSynthesizer, NullTranscriber, ScriptedResponder } from '../src/index.js';
import { RealtimeSession } from '../src/session.js';

// Property-based fuzzing of the client-event parser: whatever arrives, handleMessage never throws and the
// session answers only with well-formed server events (typed `error` events for what it refuses).

const SERVER_EVENT =
  /^(session|input_audio_buffer|conversation\.item|response|output_audio_buffer|rate_limits)\.|^error$/;

function newSession(sent: string[]): RealtimeSession {
  const session = new RealtimeSession({
    model: 'gpt-realtime',
    engines: {
      transcriber: new NullTranscriber(),
      synthesizer: new FormantSynthesizer(),
      responder: new ScriptedResponder([{ text: 'ok' }, { toolCalls: [{ name: 'f', arguments: {} }] }]),
    },
    pacing: 'fast',
    chunkMs: 50,
    segmenter: defaultSegmenter,
    send: (json) => sent.push(json),
  });
  session.start();
  return session;
}

/** Values that break naive parsers: wrong types, huge and odd numbers, nesting, prototype keys. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    'root',
    '__proto__',
    'item_1',
  ),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.base64String({ maxLength: 400 }),
);

const eventId = fc.option(fc.oneof(fc.string({ maxLength: 20 }), hostileValue), { nil: undefined });

const sessionPatch = fc.oneof(
  hostileValue,
  fc.record(
    {
      type: fc.constantFrom('realtime', 'transcription', 'x'),
      instructions: hostileValue,
      tools: fc.array(
        fc.dictionary(fc.constantFrom('type', 'name', 'parameters', 'server_label'), hostileValue),
        {
          maxLength: 3,
        },
      ),
      audio: fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record(
          {
            input: fc.dictionary(
              fc.constantFrom('format', 'transcription', 'noise_reduction', 'turn_detection'),
              hostileValue,
            ),
            output: fc.dictionary(fc.constantFrom('format', 'voice', 'speed'), hostileValue),
          },
          { requiredKeys: [] },
        ),
      ),
      reasoning: hostileValue,
      tool_choice: hostileValue,
      parallel_tool_calls: hostileValue,
    },
    { requiredKeys: ['type'] },
  ),
);

const item = fc.oneof(
  hostileValue,
  fc.record(
    {
      type: fc.constantFrom('message', 'function_call', 'function_call_output', 'mcp_call'),
      role: fc.constantFrom('user', 'assistant', 'system', 'x'),
      content: fc.array(
        fc.record(
          {
            type: fc.constantFrom('input_text', 'input_audio', 'input_image', 'output_text', 'text'),
            text: hostileValue,
            audio: hostileValue,
            image_url: hostileValue,
          },
          { requiredKeys: ['type'] },
        ),
        { maxLength: 3 },
      ),
      call_id: hostileValue,
      output: hostileValue,
      id: hostileValue,
    },
    { requiredKeys: [] },
  ),
);

const responseParams = fc.oneof(
  hostileValue,
  fc.dictionary(
    fc.constantFrom('conversation', 'input', 'output_modalities', 'tools', 'metadata', 'reasoning', 'audio'),
    hostileValue,
  ),
);

/** Events of every client type, each with that type's own fields (hostile values), plus mixed-up ones. */
const clientEvent = fc.oneof(
  fc.record({ type: fc.constant('session.update'), event_id: eventId, session: sessionPatch }),
  fc.record({ type: fc.constant('input_audio_buffer.append'), event_id: eventId, audio: hostileValue }),
  fc.record({
    type: fc.constantFrom(
      'input_audio_buffer.commit',
      'input_audio_buffer.clear',
      'output_audio_buffer.clear',
    ),
    event_id: eventId,
  }),
  fc.record(
    {
      type: fc.constant('conversation.item.create'),
      event_id: eventId,
      item,
      previous_item_id: hostileValue,
    },
    {
      requiredKeys: ['type', 'item'],
    },
  ),
  fc.record({
    type: fc.constantFrom('conversation.item.delete', 'conversation.item.retrieve'),
    event_id: eventId,
    item_id: hostileValue,
  }),
  fc.record({
    type: fc.constant('conversation.item.truncate'),
    event_id: eventId,
    item_id: hostileValue,
    content_index: hostileValue,
    audio_end_ms: hostileValue,
  }),
  fc.record(
    { type: fc.constant('response.create'), event_id: eventId, response: responseParams },
    {
      requiredKeys: ['type'],
    },
  ),
  fc.record(
    { type: fc.constant('response.cancel'), event_id: eventId, response_id: hostileValue },
    {
      requiredKeys: ['type'],
    },
  ),
  fc.dictionary(
    fc.constantFrom('type', 'event_id', 'item', 'session', 'response', 'audio', 'item_id'),
    hostileValue,
  ),
);

function checkAnswers(sent: string[]): void {
  for (const json of sent) {
    const event = JSON.parse(json) as { type: unknown; event_id: unknown; error?: Record<string, unknown> };
    expect(event.type).toMatch(SERVER_EVENT);
    expect(event.event_id).toMatch(/^event_/);
    if (event.type === 'error') {
      expect(typeof event.error?.code).toBe('string');
      expect(typeof event.error?.message).toBe('string');
      expect(String(event.error?.message).length).toBeLessThanOrEqual(501);
    }
  }
}

describe('fuzzing the client-event parser', () => {
  it('never throws on arbitrary text, and answers every non-event with a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })), (text) => {
        const sent: string[] = [];
        const session = newSession(sent);
        expect(() => session.handleMessage(text)).not.toThrow();
        session.close();
        checkAnswers(sent);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on sequences of events of every client type with hostile fields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(clientEvent, { minLength: 1, maxLength: 12 }), async (events) => {
        const sent: string[] = [];
        const session = newSession(sent);
        for (const event of events) expect(() => session.handleMessage(JSON.stringify(event))).not.toThrow();
        // Let responses and timers the events started run, then end the session mid-flight.
        await new Promise((r) => setImmediate(r));
        session.close();
        expect(() => session.handleMessage(JSON.stringify(events[0]))).not.toThrow();
        checkAnswers(sent);
      }),
      { numRuns: 300 },
    );
  });

  it('the fuzzer reaches the parsers: most generated events are refused with a named parameter', () => {
    const sent: string[] = [];
    const session = newSession(sent);
    for (const event of fc.sample(clientEvent, { numRuns: 200, seed: 42 }))
      session.handleMessage(JSON.stringify(event));
    session.close();
    const errors = sent.map((j) => JSON.parse(j)).filter((e) => e.type === 'error');
    expect(errors.length).toBeGreaterThan(100);
    expect(new Set(errors.map((e) => e.error.code)).size).toBeGreaterThan(4);
  });
});
