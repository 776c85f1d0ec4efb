import { describe, expect, it } from 'vitest';
import { AudioMixer, MixerError } from '../src/index.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MixerError);
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
    expect(code(() => new AudioMixer({ sampleRate: 8000, format: 'int8' as 'int16' }))).toBe('BAD_OPTIONS');
    expect(code(() => new AudioMixer({ sampleRate: 8000, limiterThreshold: Number.NaN }))).toBe(
      'BAD_OPTIONS',
    );
    expect(code(() => new AudioMixer(undefined as unknown as { sampleRate: number }))).toBe('BAD_OPTIONS');
  });

  it('refuses unknown and duplicate stream ids with a clear message', () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.addStream('mic');
    expect(() => mixer.pushAudio('nope', new Int16Array(160))).toThrow(/no stream 'nope' \(known: mic\)/);
    expect(code(() => mixer.setGain('nope', 1))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.mute('nope'))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.removeStream('nope'))).toBe('UNKNOWN_STREAM');
    expect(code(() => mixer.addStream('mic'))).toBe('DUPLICATE_STREAM');
    expect(code(() => mixer.addStream(''))).toBe('BAD_OPTIONS');
    expect(code(() => mixer.addStream(42 as unknown as string))).toBe('BAD_OPTIONS');
    mixer.removeStream('mic');
    expect(code(() => mixer.pushAudio('mic', new Int16Array(160)))).toBe('UNKNOWN_STREAM');
  });

  it('refuses wrong audio types and partial frames, keeping what was accepted', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, channels: 2, frameMs: 10 });
    mixer.addStream('s', { jitterMs: 0 });
    mixer.pushAudio('s', new Int16Array(160).fill(100));
    expect(() => mixer.pushAudio('s', [1, 2] as unknown as Int16Array)).toThrow(
      /expects Int16Array or Float32Array, got Array/,
    );
    expect(code(() => mixer.pushAudio('s', new Uint8Array(4) as unknown as Int16Array))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', new Int16Array(3)))).toBe('BAD_AUDIO');
    expect(code(() => mixer.pushAudio('s', null as unknown as Int16Array))).toBe('BAD_AUDIO');
    expect(mixer.stats().inputs[0].bufferedMs).toBe(10);
    expect(mixer.mixFrame().every((v) => v === 100)).toBe(true);
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
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20, format: 'float32' });
    mixer.addStream('bad', { jitterMs: 0 });
    mixer.addStream('good', { jitterMs: 0 });
    const bad = new Float32Array(160);
    bad[0] = Number.NaN;
    bad[1] = Number.POSITIVE_INFINITY;
    mixer.pushAudio('bad', bad);
    mixer.pushAudio('good', new Float32Array(160).fill(0.25));
    const frame = mixer.mixFrame();
    expect(frame.every((v) => Number.isFinite(v))).toBe(true);
    expect(frame[0]).toBe(0.25);
    // +Infinity became +1: with the good input that is over the ceiling, so the limiter takes it down and
    // then releases smoothly.
    expect(frame[1]).toBeCloseTo(0.891, 6);
    expect(frame[2]).toBeLessThan(0.25);
    expect(frame[159]).toBeGreaterThan(frame[2]);
  });

  it('counts a throwing output when nobody listens for errors, instead of crashing', () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.registerOutput(() => {
      throw new Error('boom');
    });
    expect(() => mixer.mixFrame()).not.toThrow();
    expect(mixer.stats().outputErrors).toBe(1);
    expect(code(() => mixer.registerOutput('x' as unknown as () => void))).toBe('BAD_OPTIONS');
  });
});
