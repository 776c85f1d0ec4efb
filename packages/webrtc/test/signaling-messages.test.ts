import { describe, expect, it } from 'vitest';
import { parseClientMessage, WebRtcError } from '../src/index.js';

describe('parseClientMessage', () => {
  it('accepts every client message type with its fields', () => {
    expect(parseClientMessage('{"type":"join","room":"r1"}')).toEqual({ type: 'join', room: 'r1' });
    expect(parseClientMessage('{"type":"leave"}')).toEqual({ type: 'leave' });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseClientMessage('{"type":"offer","id":"s1","sdp":"v=0"}')).toEqual({
      type: 'offer',
      id: 's1',
      sdp: 'v=0',
    });
    expect(parseClientMessage('{"type":"answer","id":"s1","sdp":"v=0","to":"p2"}')).toEqual({
      type: 'answer',
      id: 's1',
      sdp: 'v=0',
      to: 'p2',
    });
    expect(
      parseClientMessage(
        '{"type":"candidate","id":"s1","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}',
      ),
    ).toEqual({
      type: 'candidate',
      id: 's1',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    expect(parseClientMessage('{"type":"candidate","id":"s1","candidate":null}')).toEqual({
      type: 'candidate',
      id: 's1',
      candidate: null,
    });
    expect(parseClientMessage('{"type":"bye","id":"s1"}')).toEqual({ type: 'bye', id: 's1' });
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[1,2]', /JSON object/],
    ['"offer"', /JSON object/],
    ['{"type":"dance"}', /unknown message type "dance"/],
    ['{"id":"x"}', /string "type"/],
    ['{"type":"offer","id":"s1"}', /"sdp"/],
    ['{"type":"offer","sdp":"v=0"}', /"id"/],
    ['{"type":"join","room":""}', /"room"/],
    ['{"type":"candidate","id":"s1"}', /"candidate" field/],
    ['{"type":"candidate","id":"s1","candidate":{"candidate":5}}', /candidate\.candidate/],
    ['{"type":"candidate","id":"s1","candidate":{"candidate":"c","sdpMLineIndex":-1}}', /sdpMLineIndex/],
    ['{"type":"bye","id":"s1","to":7}', /"to"/],
  ])('rejects %s with a bad-message error', (text, pattern) => {
    try {
      parseClientMessage(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WebRtcError);
      expect((err as WebRtcError).code).toBe('PROTOCOL_ERROR');
      expect((err as WebRtcError).message).toMatch(pattern);
    }
  });

  it('rejects an SDP longer than the limit', () => {
    const sdp = 'v=0'.padEnd(100, 'x');
    expect(() => parseClientMessage(JSON.stringify({ type: 'offer', id: 'a', sdp }), 50)).toThrow(
      /longer than 50/,
    );
  });
});
