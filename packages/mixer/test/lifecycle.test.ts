import { describe, expect, it } from 'vitest';
import { AudioMixer, MixerError } from '../src/index.js';
import { frame } from './audio-helpers.js';

describe('lifecycle', () => {
  it('close() stops the clock, drops inputs and outputs, is idempotent, and refuses a restart', async () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    mixer.addStream('a', { jitterMs: 0 });
    let frames = 0;
    mixer.registerOutput(() => frames++);
    mixer.start();
    expect(mixer.running).toBe(true);
    await Promise.all([mixer.close(), mixer.close()]);
    expect(mixer.running).toBe(false);
    expect(mixer.hasStream('a')).toBe(false);
    expect(() => mixer.pushAudio('a', frame(new Int16Array(160), 8000))).toThrow(MixerError);
    expect(() => mixer.start()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(() => mixer.addStream('b')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    const before = frames;
    mixer.mixFrame();
    expect(frames).toBe(before);
  });

  it('await using closes the mixer at the end of the scope', async () => {
    let outer: AudioMixer | undefined;
    {
      await using mixer = new AudioMixer({ sampleRate: 8000 });
      outer = mixer;
      mixer.start();
    }
    expect(outer.running).toBe(false);
    expect(() => outer.start()).toThrow(MixerError);
  });

  it('reports latency in the LatencyWindow convention: undefined while empty', () => {
    const mixer = new AudioMixer({ sampleRate: 8000 });
    expect(mixer.latencyStats()).toEqual({ avgMs: undefined, p95Ms: undefined, maxMs: undefined, count: 0 });
  });
});
