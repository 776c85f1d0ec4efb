import { tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioMixer } from '../src/index.js';
import { collect, frame } from './audio-helpers.js';

describe('gain, mute, limiter', () => {
  it('ramps gain changes linearly over the ramp time with no jump', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('dc', { jitterMs: 0, maxBufferMs: 2000 });
    mixer.pushAudio('dc', frame(new Int16Array(8000).fill(16_384), 8000)); // 0.5 of full scale
    const before = mixer.mixFrame().data.slice();
    expect(before.every((v) => v === 16_384)).toBe(true);
    mixer.setGain('dc', 0.25, 30); // 240 samples
    const out = collect(mixer, 3);
    // The ramp is linear in float; Int16 output rounds each sample, so steps may differ by one LSB.
    const step = (16_384 * 0.75) / 240;
    let maxJump = 0;
    let prev = 16_384;
    for (let i = 0; i < out.length; i++) {
      maxJump = Math.max(maxJump, Math.abs(out[i] - prev));
      prev = out[i];
    }
    expect(maxJump).toBeLessThanOrEqual(Math.ceil(step) + 1);
    expect(Math.abs(out[119] - 16_384 * (1 - (0.75 * 120) / 240))).toBeLessThanOrEqual(1);
    expect(Math.abs(out[239] - 4096)).toBeLessThanOrEqual(1);
    expect(out[479]).toBe(4096);
  });

  it('mutes and unmutes with a short ramp, consuming the muted audio', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('voice', { jitterMs: 0, maxBufferMs: 2000 });
    const voice = tone(500, 8000, 8000, 12_000 / 32_767);
    mixer.pushAudio('voice', frame(voice, 8000));
    collect(mixer, 2);
    mixer.mute('voice');
    const muted = collect(mixer, 3);
    // 5 ms ramp = 40 samples, then silence.
    expect(muted.subarray(40).every((v) => v === 0)).toBe(true);
    for (let i = 1; i < 40; i++) expect(Math.abs(muted[i])).toBeLessThanOrEqual(Math.abs(voice[320 + i]));
    mixer.unmute('voice');
    const back = collect(mixer, 2);
    expect(back.subarray(40)).toEqual(voice.subarray(800 + 40, 800 + 320));
    expect(mixer.stats().inputs[0].underruns).toBe(0);
  });

  it('the limiter keeps four full-scale inputs below full scale, and does not hard-clip', () => {
    const mixer = new AudioMixer({ sampleRate: 16_000, frameMs: 20 });
    for (const [i, f] of [110, 230, 470, 950].entries()) {
      mixer.addStream(`in${i}`, { jitterMs: 0, maxBufferMs: 2000 });
      mixer.pushAudio(`in${i}`, frame(tone(f, 16_000, 16_000, 1), 16_000));
    }
    const ceiling = Math.round(0.891 * 32_768);
    // What a hard clip at the same ceiling would flatten: the fraction of the raw sum above it.
    let overCeiling = 0;
    for (let i = 0; i < 16_000; i++) {
      let sum = 0;
      for (const f of [110, 230, 470, 950])
        sum += Math.round(32_767 * Math.sin((2 * Math.PI * f * i) / 16_000)) / 32_768;
      if (Math.abs(sum) > 0.891) overCeiling++;
    }
    let peak = 0;
    let atCeiling = 0;
    for (let f = 0; f < 50; f++) {
      for (const v of mixer.mixFrame().data) {
        peak = Math.max(peak, Math.abs(v));
        // Within one LSB of the ceiling (Int16 rounding).
        if (Math.abs(v) >= ceiling - 1) atCeiling++;
      }
    }
    expect(peak).toBeLessThanOrEqual(ceiling);
    expect(peak).toBeGreaterThan(0.8 * 32_768);
    // A hard clip would sit flat on the ceiling wherever the sum exceeds it; the limiter touches it at peaks.
    expect(overCeiling / 16_000).toBeGreaterThan(0.2);
    expect(atCeiling).toBeLessThan(overCeiling / 5);
    expect(mixer.stats().limitedSamples).toBeGreaterThan(0);

    const pcm = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    pcm.addStream('a', { jitterMs: 0 });
    pcm.addStream('b', { jitterMs: 0 });
    pcm.pushAudio('a', frame(new Int16Array(160).fill(32_767), 8000));
    pcm.pushAudio('b', frame(new Int16Array(160).fill(32_767), 8000));
    expect(Math.max(...pcm.mixFrame().data)).toBeLessThanOrEqual(ceiling);
  });
});

describe('jitter buffer', () => {
  it('waits for the target depth before playing, then plays without underruns', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('net', { jitterMs: 60 });
    const audio = tone(400, 8000, 3200, 9000 / 32_767);
    const frames: Int16Array[] = [];
    // One 20 ms packet per frame; playout starts once 60 ms are queued.
    for (let f = 0; f < 20; f++) {
      mixer.pushAudio('net', frame(audio.subarray(f * 160, f * 160 + 160), 8000));
      frames.push(mixer.mixFrame().data.slice());
    }
    expect(frames[0].every((v) => v === 0)).toBe(true);
    expect(frames[1].every((v) => v === 0)).toBe(true);
    expect(frames[2]).toEqual(audio.subarray(0, 160));
    expect(frames[19]).toEqual(audio.subarray(17 * 160, 18 * 160));
    const s = mixer.stats().inputs[0];
    expect(s.underruns).toBe(0);
    expect(s.bufferedMs).toBe(40);
    expect(mixer.latencyStats().avgMs).toBeCloseTo(60, 5);
  });

  it('drops the oldest audio on overrun and counts it', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('burst', { jitterMs: 0, maxBufferMs: 100 });
    const audio = Int16Array.from({ length: 2400 }, (_, i) => i);
    mixer.pushAudio('burst', frame(audio.subarray(0, 1600), 8000));
    mixer.pushAudio('burst', frame(audio.subarray(1600), 8000));
    const s = mixer.stats().inputs[0];
    expect(s.overruns).toBe(2);
    expect(s.droppedMs).toBe(200);
    expect(s.bufferedMs).toBe(100);
    // What remains is the newest 100 ms.
    expect(mixer.mixFrame().data).toEqual(audio.subarray(1600, 1760));
  });

  it('endStream plays out a buffer shorter than the target depth and stops counting', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    mixer.addStream('tail', { jitterMs: 100 });
    mixer.pushAudio('tail', frame(new Int16Array(200).fill(1000), 8000));
    expect(mixer.mixFrame().data.every((v) => v === 0)).toBe(true);
    mixer.endStream('tail');
    const a = mixer.mixFrame().data.slice();
    const b = mixer.mixFrame().data.slice();
    expect(a.every((v) => v === 1000)).toBe(true);
    expect(b.subarray(0, 40).every((v) => v === 1000)).toBe(true);
    expect(b.subarray(40).every((v) => v === 0)).toBe(true);
    mixer.mixFrame();
    const s = mixer.stats().inputs[0];
    expect(s.state).toBe('ended');
    expect(s.underruns).toBe(0);
  });
});
