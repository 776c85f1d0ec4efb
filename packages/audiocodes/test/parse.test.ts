// The Bot API parser is total: generated JSON (valid messages, each field mutated, arbitrary values) never
// makes it throw; it returns either a message whose fields have the promised types or a typed error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudioCodesProtocolError, MAX_QUOTED_CHARS, parseAudioCodesMessage } from '../src/index.js';

const TYPES = [
  'session.initiate',
  'session.resume',
  'userStream.start',
  'userStream.chunk',
  'userStream.stop',
  'activities',
  'session.end',
  'connection.validate',
];

const valid: Record<string, Record<string, unknown>> = {
  'session.initiate': {
    type: 'session.initiate',
    conversationId: 'c1',
    botName: 'bot',
    caller: '+1555',
    expectAudioMessages: true,
    supportedMediaFormats: ['raw/lpcm16'],
  },
  'session.resume': { type: 'session.resume', conversationId: 'c1' },
  'userStream.start': { type: 'userStream.start', conversationId: 'c1' },
  'userStream.chunk': { type: 'userStream.chunk', conversationId: 'c1', audioChunk: 'AAAA' },
  'userStream.stop': { type: 'userStream.stop', conversationId: 'c1' },
  activities: {
    type: 'activities',
    conversationId: 'c1',
    activities: [{ type: 'event', name: 'dtmf', value: '5', id: 'x', timestamp: 't', language: 'en' }],
  },
  'session.end': { type: 'session.end', conversationId: 'c1', reasonCode: 'x', reason: 'y' },
  'connection.validate': { type: 'connection.validate' },
};

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** A valid message with one field (top level or in the first activity) replaced by arbitrary JSON. */
const mutated = fc
  .tuple(fc.constantFrom(...TYPES), fc.string({ maxLength: 20 }), anyJson, fc.boolean())
  .map(([type, key, value, inActivity]) => {
    const msg = structuredClone(valid[type]);
    const keys = Object.keys(msg);
    if (inActivity && type === 'activities') {
      const act = (msg.activities as Record<string, unknown>[])[0];
      const aKeys = Object.keys(act);
      act[aKeys[key.length % aKeys.length]] = value;
    } else {
      msg[key.length % 2 === 0 ? keys[key.length % keys.length] : key] = value;
    }
    return JSON.stringify(msg);
  });

/** Objects shaped like messages: a known or random type, random fields. */
const shaped = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), anyJson),
      conversationId: fc.oneof(fc.string(), anyJson),
      activities: fc.oneof(
        fc.array(fc.oneof(anyJson, fc.record({ type: anyJson, name: anyJson, value: anyJson }))),
        anyJson,
      ),
      supportedMediaFormats: fc.oneof(fc.array(fc.oneof(fc.string(), anyJson)), anyJson),
      audioChunk: fc.oneof(fc.base64String(), anyJson),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

const texts = fc.oneof(
  mutated,
  shaped,
  anyJson.map((v) => JSON.stringify(v)),
  fc.string(),
);

function check(text: string): void {
  let r: ReturnType<typeof parseAudioCodesMessage>;
  expect(() => {
    r = parseAudioCodesMessage(text);
  }).not.toThrow();
  const res = r!;
  if (!res.ok) {
    expect(res.error).toBeInstanceOf(AudioCodesProtocolError);
    expect(['BAD_JSON', 'UNKNOWN_TYPE', 'BAD_FIELD']).toContain(res.error.code);
    // Quoted peer text is clipped: the message stays short whatever came in.
    expect(res.error.message.length).toBeLessThan(4 * MAX_QUOTED_CHARS);
    return;
  }
  const m = res.message;
  expect(TYPES).toContain(m.type);
  if (m.type !== 'connection.validate') expect(typeof m.conversationId).toBe('string');
  if (m.type === 'session.initiate') {
    expect(m.supportedMediaFormats.every((f) => typeof f === 'string')).toBe(true);
  }
  if (m.type === 'userStream.chunk') expect(typeof m.audioChunk).toBe('string');
  if (m.type === 'activities') {
    for (const a of m.activities) {
      expect(typeof a.type).toBe('string');
      if (a.name === 'dtmf' && a.type === 'event') expect(a.value).toMatch(/^[0-9*#A-Da-d]+$/);
    }
  }
}

describe('parseAudioCodesMessage', () => {
  it('never throws on generated input and returns a valid message or a typed error', {
    timeout: 60_000,
  }, () => {
    fc.assert(fc.property(texts, check), { numRuns: 3000 });
  });

  it('refuses the inputs that crashed the bridge, with a typed error', () => {
    for (const activities of [null, 5, [null], 'x', [{ type: 7 }]]) {
      const r = parseAudioCodesMessage(
        JSON.stringify({ type: 'activities', conversationId: 'c', activities }),
      );
      expect(r).toMatchObject({ ok: false, conversationId: 'c', error: { code: 'BAD_FIELD' } });
    }
    const trap = parseAudioCodesMessage(
      JSON.stringify({
        type: 'activities',
        conversationId: 'c',
        activities: [{ type: 'event', name: 'dtmf', value: { toString: 1 } }],
      }),
    );
    expect(trap).toMatchObject({
      ok: false,
      error: { code: 'BAD_FIELD', message: expect.stringMatching(/DTMF/) },
    });
  });

  it('keeps valid messages intact, digits as strings', () => {
    for (const msg of Object.values(valid)) expect(parseAudioCodesMessage(JSON.stringify(msg)).ok).toBe(true);
    const r = parseAudioCodesMessage(
      JSON.stringify({
        type: 'activities',
        conversationId: 'c',
        activities: [{ type: 'event', name: 'dtmf', value: 7 }],
      }),
    );
    expect(r).toMatchObject({ ok: true, message: { activities: [{ value: '7' }] } });
  });

  it('bounds strings, activities and formats, and clips what it quotes', () => {
    const long = 'x'.repeat(60_000);
    const unknown = parseAudioCodesMessage(JSON.stringify({ type: long }));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    if (!unknown.ok) expect(unknown.error.message.length).toBeLessThan(200);
    expect(
      parseAudioCodesMessage(JSON.stringify({ type: 'session.end', conversationId: 'c', reason: long })),
    ).toMatchObject({
      ok: false,
      error: { code: 'BAD_FIELD', message: expect.stringMatching(/1024 limit/) },
    });
    const many = Array.from({ length: 65 }, () => ({ type: 'event', name: 'x' }));
    expect(
      parseAudioCodesMessage(JSON.stringify({ type: 'activities', conversationId: 'c', activities: many })),
    ).toMatchObject({ ok: false, error: { message: expect.stringMatching(/64 limit/) } });
    expect(
      parseAudioCodesMessage(JSON.stringify({ type: 'activities', conversationId: 'c', activities: many }), {
        maxActivities: 100,
      }).ok,
    ).toBe(true);
  });
});
