import { AudioRing } from '@voxwire/ringbuffer';
import { describe, expect, it } from 'vitest';
import {
  type AudioFrame,
  AudioMixer,
  type AudioMixerOptions,
  MixerError,
  VoxwireError,
} from '../src/index.js';
import { frame } from './audio-helpers.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MixerError);
    expect(e).toBeInstanceOf(VoxwireError);
    return (e as MixerError).code;
  }
  throw new Error('expected a MixerError');
}

describe('bad input', () => {
  it('refuses bad mixer options', () => {
    expect(code(() => new AudioMixer({ sampleRate: 0 }))).toBe('BAD_OPTIONS');
    expect(code(() => new AudioMixer({ sampleRate: 44_100.5 }))).toBe('BAD_OPTIONS');
    expect(code(() => new AudioMixer({ sampleRate: 44_100, frameMs: 0.01 }))).toBe('BAD_OPTIONS');
    expect(code(() => new AudioMixer({ sampleRate: 8000, channels: 0 }))).toBe('BAD_OPTIONS');
    expect(code(() => new AudioMixer({ sampleRate: 8000, format: 'int8' } as AudioMixerOptions))).toBe(
      'BAD_OPTIONS',
    );
    // 0.1's Float32 output is gone: frames are Int16 AudioFrames, and the old option is refused, not ignored.
    expect(code(() => new AudioMixer({ sampleRate: 8000, format: 'float32' } as AudioMixerOptions))).toBe(
      'BAD_OPTIONS',
    );
    expect(code(() => new AudioMixer({ sampleRate: 8000, limiterThreshold: Number.NaN }))).toBe(
      'BAD_OPTIONS',
    );
    expect(code(() => new AudioMixer(undefined as unknown as { sampleRate: number }))).toBe('BAD_OPTIONS');
  });

  it('refuses unknown and duplicate stream ids with a clear message', () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.addStream('mic');
    expect(() => mixer.pushAudio('nope', frame(new Int16Array(160), 8000))).toThrow(
      /no stream 'nope' \(known: mic\)/,
    );
    expect(code(() => mixer.setGain('nope', 1))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.mute('nope'))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.removeStream('nope'))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.addStream('mic'))).toBe('DUPLICATE_STREAM');
    expect(code(() => mixer.addStream(''))).toBe('BAD_OPTIONS');
    expect(code(() => mixer.addStream(42 as unknown as string))).toBe('BAD_OPTIONS');
    mixer.removeStream('mic');
    expect(code(() => mixer.pushAudio('mic', frame(new Int16Array(160), 8000)))).toBe('UNKNOWN_STREAM');
  });

  it('refuses wrong audio types and partial frames, keeping what was accepted', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, channels: 2, frameMs: 10 });
    mixer.addStream('s', { jitterMs: 0 });
    mixer.pushAudio('s', frame(new Int16Array(160).fill(100), 8000, 2));
    expect(() => mixer.pushAudio('s', [1, 2] as unknown as AudioFrame)).toThrow(
      /expects an AudioFrame with Int16Array data, got Array/,
    );
    const raw = (data: unknown, sampleRate = 8000, channels = 2) =>
      ({ data, sampleRate, channels, position: 0 }) as AudioFrame;
    expect(code(() => mixer.pushAudio('s', raw(new Uint8Array(4))))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', raw(new Float32Array(4))))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', raw(new Int16Array(3))))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', null as unknown as AudioFrame))).toBe('BAD_AUDIO');
    // A frame at another rate or channel count than the input was added with.
    expect(code(() => mixer.pushAudio('s', raw(new Int16Array(320), 16_000)))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', raw(new Int16Array(80), 8000, 1)))).toBe('BAD_AUDIO');
    expect(mixer.stats().inputs[0].bufferedMs).toBe(10);
    expect(mixer.mixFrame().data.every((v) => v === 100)).toBe(true);
    expect(code(() => mixer.addStream('x', { channels: 3 }))).toBe('BAD_OPTIONS');
    expect(code(() => mixer.addStream('y', { sampleRate: -8000 }))).toBe('BAD_OPTIONS');
    expect(code(() => mixer.addStream('z', { jitterMs: Number.NaN }))).toBe('BAD_OPTIONS');
  });

  it('refuses NaN, infinite and negative gains and ramps without changing the gain', () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.addStream('g', { gain: 0.5 });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, '1' as unknown as number]) {
      expect(code(() => mixer.setGain('g', bad))).toBe('BAD_GAIN');
    }
    expect(code(() => mixer.setGain('g', 1, Number.NaN))).toBe('BAD_GAIN');
    expect(code(() => mixer.setGain('g', 1, -5))).toBe('BAD_GAIN');
    expect(code(() => mixer.addStream('h', { gain: Number.NaN }))).toBe('BAD_GAIN');
    expect(mixer.stats().inputs[0].gain).toBe(0.5);
  });

  it('turns NaN and infinite float samples into silence and full scale instead of poisoning the mix', () => {
    // Float audio reaches the mixer through a Float32 source ring (native capture, another thread).
    const ring = AudioRing.create({ sampleRate: 8000, channels: 1, frames: 1600, Type: Float32Array });
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('bad', { source: ring, jitterMs: 0 });
    mixer.addStream('good', { jitterMs: 0 });
    const bad = new Float32Array(160);
    bad[0] = Number.NaN;
    bad[1] = Number.POSITIVE_INFINITY;
    ring.pushFrames(bad);
    mixer.pushAudio('good', frame(new Int16Array(160).fill(8192), 8000));
    const out = mixer.mixFrame().data;
    expect(out[0]).toBe(8192);
    // +Infinity became +1: with the good input that is over the ceiling, so the limiter takes it down and
    // then releases smoothly.
    expect(out[1] / 32768).toBeCloseTo(0.891, 4);
    expect(out[2]).toBeLessThan(8192);
    expect(out[159]).toBeGreaterThan(out[2]);
  });

  it('counts a throwing output when nobody listens for errors, instead of crashing', async () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.registerOutput(() => {
      throw new Error('boom');
    });
    // Without an `error` listener the failure becomes a process warning (emitError), never an exception.
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    expect(() => mixer.mixFrame()).not.toThrow();
    expect(mixer.stats().outputErrors).toBe(1);
    const warning = await warned;
    expect(warning).toBeInstanceOf(MixerError);
    expect(warning.message).toMatch(/boom/);
    expect(code(() => mixer.registerOutput('x' as unknown as () => void))).toBe('BAD_OPTIONS');
  });
});
