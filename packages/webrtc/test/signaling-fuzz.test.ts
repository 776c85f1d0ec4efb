// The signaling server's one parser of client input, fed generated hostile text: it returns a well-formed
// message or throws WebRtcError('PROTOCOL_ERROR') with a short message, and never anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, parseClientMessage, WebRtcError } from '../src/index.js';

const TYPES = new Set<string>(CLIENT_MESSAGE_TYPES);

function checkTotal(text: string): void {
  let message: ReturnType<typeof parseClientMessage>;
  try {
    message = parseClientMessage(text, 4096);
  } catch (err) {
    expect(err).toBeInstanceOf(WebRtcError);
    expect((err as WebRtcError).code).toBe('PROTOCOL_ERROR');
    // Attacker text is quoted, but cut short.
    expect((err as Error).message.length).toBeLessThan(400);
    return;
  }
  expect(TYPES.has(message.type)).toBe(true);
  if ('sdp' in message) expect(message.sdp.length).toBeLessThanOrEqual(4096);
  if ('id' in message) expect(typeof message.id).toBe('string');
}

const hostileValue = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('x'.repeat(70_000), '__proto__', 'constructor', null, -0, 1e308, [], {}),
);

describe('parseClientMessage under generated input', () => {
  it('any text: a message or a bad-message error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), checkTotal), { numRuns: 2000 });
  });

  it('any JSON value: a message or a bad-message error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => checkTotal(JSON.stringify(v))),
      { numRuns: 2000 },
    );
  });

  it('every message type with hostile fields: a message or a bad-message error', () => {
    const message = fc.record(
      {
        type: fc.oneof(fc.constantFrom(...CLIENT_MESSAGE_TYPES), hostileValue),
        id: hostileValue,
        room: hostileValue,
        sdp: hostileValue,
        to: hostileValue,
        candidate: fc.oneof(
          hostileValue,
          fc.record({ candidate: hostileValue, sdpMid: hostileValue, sdpMLineIndex: hostileValue }),
        ),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(message, (m) => checkTotal(JSON.stringify(m) ?? 'null')),
      { numRuns: 3000 },
    );
  });
});
