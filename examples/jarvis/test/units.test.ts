import { isVoxwireError } from '@voxwire/core';
import { rms, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIO_CONFIG,
  defaultPlugins,
  espeakVoice,
  evaluate,
  HighPassFilter,
  JarvisError,
  LatencyStat,
  mergeAudioConfig,
  openAiVoice,
  SMALL_TALK_PHRASES,
  TokenStore,
} from '../src/index.js';
import { DESIGN_AUDIO_CONFIG } from './helpers.js';

describe('tokens', () => {
  it('parses JARVIS_TOKENS and verifies only exact tokens', () => {
    const store = TokenStore.parse('alice:alice-secret-token-1234, bob:bob-secret-token-12345:admin');
    expect(store.verify('alice-secret-token-1234')).toEqual({ userId: 'alice', role: 'user' });
    expect(store.verify('bob-secret-token-12345')).toEqual({ userId: 'bob', role: 'admin' });
    expect(store.verify('alice')).toBeUndefined();
    expect(store.verify('alice-secret-token-123')).toBeUndefined();
    expect(() => TokenStore.parse('alice')).toThrow(JarvisError);
    expect(() => TokenStore.parse('alice')).toThrow(
      expect.toSatisfy((err) => isVoxwireError(err, 'BAD_REQUEST')),
    );
    expect(() => TokenStore.parse('alice:short')).toThrow('16-256');
    expect(() => TokenStore.parse('al ice:alice-secret-token-1234')).toThrow('invalid user id');
  });
});

describe('JarvisError', () => {
  it('has a SCREAMING_SNAKE code and sends the lowercase wire code with its status', () => {
    const err = new JarvisError('NOT_STREAMING', 'not streaming');
    expect(isVoxwireError(err, 'NOT_STREAMING')).toBe(true);
    expect(err.wireCode).toBe('not_streaming');
    expect(err.status).toBe(409);
    expect(err.toJSON()).toEqual({ error: { code: 'not_streaming', message: 'not streaming' } });
  });
});

describe('audio config', () => {
  it('has the design defaults and merges atomically', () => {
    expect(DEFAULT_AUDIO_CONFIG).toMatchObject({
      sample_rate: 16000,
      streaming_chunk_ms: 100,
      max_silence_ms: 1000,
      min_speech_ms: 300,
      enable_noise_reduction: true,
    });
    const base = mergeAudioConfig(DEFAULT_AUDIO_CONFIG, { sample_rate: 24000 });
    expect(base.sample_rate).toBe(24000);
    expect(() => mergeAudioConfig(base, { sample_rate: 8000, enable_vad: 'yes' })).toThrow('enable_vad');
    expect(() => mergeAudioConfig(base, { channels: 2 })).toThrow('channels');
    expect(() => mergeAudioConfig(base, { sampleRate: 8000 })).toThrow('unknown config field sampleRate');
    expect(() => mergeAudioConfig(base, 'x')).toThrow('object');
    expect(base.sample_rate).toBe(24000);
  });

  it("accepts the design's full AudioConfig, chunk_size included, and bounds chunk_size", () => {
    expect(mergeAudioConfig(DEFAULT_AUDIO_CONFIG, DESIGN_AUDIO_CONFIG)).toEqual({
      ...DESIGN_AUDIO_CONFIG,
      language: 'en',
    });
    expect(mergeAudioConfig(DEFAULT_AUDIO_CONFIG, { chunk_size: 480 }).chunk_size).toBe(480);
    for (const chunk_size of [0, 15, 48001, 1.5, '1024']) {
      expect(() => mergeAudioConfig(DEFAULT_AUDIO_CONFIG, { chunk_size })).toThrow(
        'chunk_size must be an integer from 16 to 48000',
      );
    }
  });
});

describe('plugins', () => {
  it('calc parses arithmetic without eval', () => {
    expect(evaluate('(2 + 3) * 4 - 2 ^ 3 / 4')).toBe(18);
    expect(evaluate('-3 + 10')).toBe(7);
    expect(() => evaluate('process.exit()')).toThrow();
    expect(() => evaluate('(1 + 2')).toThrow('missing )');
    expect(() => evaluate('2 +')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: 'unexpected end' }),
    );
  });

  it('builds a JSGF grammar of the enabled plugins', () => {
    const plugins = defaultPlugins();
    const g = plugins.grammar(SMALL_TALK_PHRASES);
    expect(g).toMatch(/^#JSGF V1\.0;\ngrammar jarvis;\n<weather_city> = bangkok \| london/);
    expect(g).toContain('what time is it');
    plugins.setEnabled('time', false);
    expect(plugins.grammar()).not.toContain('what time is it');
  });

  it('keeps plugin state per user', async () => {
    const plugins = defaultPlugins();
    await plugins.handle('/note add milk', 'a');
    expect((await plugins.handle('/note list', 'b'))?.response).toBe('You have no notes.');
    expect((await plugins.handle('/note list', 'a'))?.response).toBe('Your notes: milk.');
    plugins.dropUser('a');
    expect((await plugins.handle('/note list', 'a'))?.response).toBe('You have no notes.');
  });
});

describe('voices', () => {
  it('maps Edge-TTS names to espeak-ng and OpenAI voices', () => {
    expect(espeakVoice('en-US-AriaNeural')).toBe('en-us+f3');
    expect(espeakVoice('en-GB-RyanNeural')).toBe('en-gb+m3');
    expect(espeakVoice('alloy')).toBe('alloy');
    expect(openAiVoice('en-US-AriaNeural')).toBe('alloy');
    expect(openAiVoice('en-US-GuyNeural')).toBe('ash');
    expect(openAiVoice('verse')).toBe('verse');
  });
});

describe('noise reduction (high-pass)', () => {
  it('removes DC and 30 Hz hum, keeps 1 kHz, and does not depend on chunking', () => {
    const rate = 16000;
    // DC at 3000 plus 30 Hz hum and a 1 kHz tone, each of amplitude 4000.
    const hum = tone(30, rate, rate, 4000 / 32767);
    const wanted = tone(1000, rate, rate, 4000 / 32767);
    const make = () => hum.map((h, i) => 3000 + h + (wanted[i] as number));
    const whole = new HighPassFilter(rate).process(make());
    const chunked = make();
    const f = new HighPassFilter(rate);
    for (let o = 0; o < chunked.length; o += 333) f.process(chunked.subarray(o, o + 333));
    expect(chunked).toEqual(whole);
    const tail = whole.subarray(rate / 2);
    const mean = tail.reduce((s, v) => s + v, 0) / tail.length;
    expect(Math.abs(mean)).toBeLessThan(20);
    const level = rms(tail) * 32768;
    // 1 kHz at amplitude 4000 has an RMS of 2828; the hum (≈ -21 dB at 30 Hz) adds little.
    expect(level).toBeGreaterThan(2700);
    expect(level).toBeLessThan(3000);
  });
});

describe('latency stats', () => {
  it('keeps count, last, mean and max over all samples and nearest-rank p50/p95 over recent ones', () => {
    const stat = new LatencyStat();
    expect(stat.toJSON()).toEqual({
      count: 0,
      last_ms: 0,
      mean_ms: 0,
      max_ms: 0,
      p50_ms: null,
      p95_ms: null,
    });
    for (let ms = 1; ms <= 20; ms++) stat.add(ms);
    expect(stat.toJSON()).toEqual({
      count: 20,
      last_ms: 20,
      mean_ms: 10.5,
      max_ms: 20,
      p50_ms: 10,
      p95_ms: 19,
    });
  });
});
