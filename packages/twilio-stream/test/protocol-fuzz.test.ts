import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTwilioMessage, TwilioStreamError } from '../src/index.js';

const CODES = new Set([
  'MALFORMED_JSON',
  'UNKNOWN_EVENT',
  'BAD_MESSAGE',
  'BAD_BASE64',
  'BAD_FRAME_SIZE',
  'WRONG_STREAM',
]);
const EVENTS = new Set(['connected', 'start', 'media', 'dtmf', 'mark', 'stop']);

/** The parser's contract: a typed message or a typed error, never a throw, never a huge error text. */
function checkTotal(text: string): void {
  const out = parseTwilioMessage(text);
  if (out instanceof TwilioStreamError) {
    expect(CODES.has(out.code), out.code).toBe(true);
    // Attacker text is quoted, but cut short.
    expect(out.message.length).toBeLessThan(300);
    return;
  }
  expect(EVENTS.has(out.event)).toBe(true);
  if (out.event === 'media') {
    expect(out.payload.length % 160).toBe(0);
    expect(out.payload.length).toBeGreaterThan(0);
  }
  if (out.streamSid !== undefined) expect(out.streamSid.length).toBeLessThanOrEqual(64);
  if (out.sequenceNumber !== undefined) expect(Number.isSafeInteger(out.sequenceNumber)).toBe(true);
}

const frame = (n: number) => Buffer.alloc(160 * n, 0xff).toString('base64');
/** Values that stress a field: wrong types, huge and odd strings, prototype keys, big numbers. */
const hostileValue = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'x'.repeat(70_000),
    '9'.repeat(400),
    '-1',
    '1e308',
    '__proto__',
    frame(1),
    frame(3),
    `${frame(1)}=`,
    '',
  ),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant({ toString: 1 }),
);

const message = fc.record(
  {
    event: fc.oneof(fc.constantFrom(...EVENTS, 'clear', 'transcription', '__proto__'), hostileValue),
    sequenceNumber: hostileValue,
    streamSid: hostileValue,
    start: fc.oneof(
      hostileValue,
      fc.record(
        {
          streamSid: hostileValue,
          callSid: hostileValue,
          accountSid: hostileValue,
          tracks: hostileValue,
          customParameters: fc.oneof(hostileValue, fc.dictionary(fc.string(), hostileValue)),
          mediaFormat: hostileValue,
        },
        { requiredKeys: [] },
      ),
    ),
    media: fc.oneof(
      hostileValue,
      fc.record(
        { payload: hostileValue, timestamp: hostileValue, chunk: hostileValue },
        { requiredKeys: [] },
      ),
    ),
    dtmf: fc.oneof(hostileValue, fc.record({ digit: hostileValue }, { requiredKeys: [] })),
    mark: fc.oneof(hostileValue, fc.record({ name: hostileValue }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

describe('parseTwilioMessage (fuzzed)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), checkTotal), { numRuns: 2000 });
    fc.assert(fc.property(fc.json(), checkTotal), { numRuns: 2000 });
  });

  it('never throws on messages shaped like Twilio’s with hostile fields', () => {
    fc.assert(
      fc.property(message, (msg) => {
        let text: string;
        try {
          text = JSON.stringify(msg);
        } catch {
          return; // not serialisable (a BigInt): cannot arrive over the wire
        }
        if (text === undefined) return;
        checkTotal(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('parses valid messages into typed ones', () => {
    const media = parseTwilioMessage(
      JSON.stringify({
        event: 'media',
        sequenceNumber: '3',
        streamSid: 'MZ1',
        media: { track: 'inbound', chunk: '2', timestamp: '40', payload: frame(1) },
      }),
    );
    expect(media).toMatchObject({
      event: 'media',
      sequenceNumber: 3,
      streamSid: 'MZ1',
      timestampMs: 40,
      chunk: 2,
    });
    const start = parseTwilioMessage(
      JSON.stringify({
        event: 'start',
        start: {
          streamSid: 'MZ1',
          callSid: 'CA1',
          customParameters: { a: 'x', n: 5, o: { toString: 1 }, __proto__: 'p' },
        },
      }),
    );
    expect(start).toMatchObject({
      event: 'start',
      start: { streamSid: 'MZ1', customParameters: { a: 'x', n: '5' } },
    });
    if (!(start instanceof TwilioStreamError) && start.event === 'start') {
      expect(Object.keys(start.start.customParameters)).toEqual(['a', 'n']);
      expect(Object.getPrototypeOf(start.start.customParameters)).toBe(Object.prototype);
    }
    // A 60 KB mark name is a valid echo shape, but quoting it in an error is cut short (see hostile tests).
    const mark = parseTwilioMessage(JSON.stringify({ event: 'mark', mark: { name: 'm'.repeat(60_000) } }));
    expect(mark).toMatchObject({ event: 'mark' });
    expect(parseTwilioMessage(JSON.stringify({ event: 'dtmf', dtmf: { digit: '12' } }))).toMatchObject({
      code: 'BAD_MESSAGE',
    });
    expect(parseTwilioMessage(JSON.stringify({ event: 'x'.repeat(10_000) }))).toMatchObject({
      code: 'UNKNOWN_EVENT',
      message: expect.stringMatching(/^unknown event "x{60}…"/),
    });
  });
});
