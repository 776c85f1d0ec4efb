import type {
  RealtimeClientEvent as OpenAIClientEvent,
  RealtimeServerEvent as OpenAIServerEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AUDIO_FORMAT_TYPES,
  BETA_EVENT_ALIASES,
  CLIENT_EVENT_TYPES,
  type ClientEvent,
  type ClientEventType,
  formatCodec,
  formatOfCodec,
  formatSampleRate,
  isAudioFormatType,
  isClientEventType,
  isServerEventType,
  type RealtimeAudioCodec,
  SERVER_EVENT_TYPES,
  type ServerEventType,
  type SessionConfig,
} from '../src/index.js';

describe('formats', () => {
  it('maps each wire format to its codec and rate, and back', () => {
    expect(AUDIO_FORMAT_TYPES.map((type) => formatCodec({ type } as never))).toEqual([
      'pcm16',
      'pcmu',
      'pcma',
    ]);
    for (const codec of ['pcm16', 'pcmu', 'pcma'] as RealtimeAudioCodec[])
      expect(formatCodec(formatOfCodec(codec))).toBe(codec);
    expect(formatSampleRate({ type: 'audio/pcm', rate: 24000 })).toBe(24000);
    expect(formatSampleRate({ type: 'audio/pcmu' })).toBe(8000);
    expect(formatSampleRate(formatOfCodec('pcma'))).toBe(8000);
    expect(isAudioFormatType('audio/pcmu')).toBe(true);
    expect(isAudioFormatType('audio/g729')).toBe(false);
    expect(isAudioFormatType(undefined)).toBe(false);
  });
});

describe('event type guards', () => {
  it('tells client, server and unknown event types apart', () => {
    expect(isClientEventType('session.update')).toBe(true);
    expect(isClientEventType('session.updated')).toBe(false);
    expect(isServerEventType('session.updated')).toBe(true);
    expect(isServerEventType('response.audio.delta')).toBe(false);
    expect(isServerEventType(BETA_EVENT_ALIASES['response.audio.delta'])).toBe(true);
    expect(isServerEventType(42)).toBe(false);
  });

  it('lists every client event type once, at run time as in the type', () => {
    expect(new Set(CLIENT_EVENT_TYPES).size).toBe(CLIENT_EVENT_TYPES.length);
    expectTypeOf<(typeof CLIENT_EVENT_TYPES)[number]>().toEqualTypeOf<ClientEventType>();
  });
});

describe('against the official openai declarations', () => {
  it('every client event is an SDK client event, and the SDK has no other', () => {
    expectTypeOf<ClientEvent>().toExtend<OpenAIClientEvent>();
    expectTypeOf<OpenAIClientEvent['type']>().toEqualTypeOf<ClientEventType>();
    expectTypeOf<SessionConfig>().toExtend<RealtimeSessionCreateRequest>();
  });

  it('every server event name is a GA server event name of the SDK', () => {
    expectTypeOf<ServerEventType>().toExtend<OpenAIServerEvent['type']>();
    expect([...SERVER_EVENT_TYPES]).toContain('response.output_audio.delta');
    expect([...SERVER_EVENT_TYPES]).not.toContain('response.audio.delta');
  });
});
