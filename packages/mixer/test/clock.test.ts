import { tone } from '@voxwire/test-support';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioMixer, type MixerError } from '../src/index.js';
import { frame as pcmFrame } from './audio-helpers.js';

describe('clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('emits exactly one frame per period over a simulated minute, in order, with the audio in it', () => {
    const mixer = new AudioMixer({ sampleRate: 16_000, frameMs: 20 });
    mixer.addStream('t', { jitterMs: 0, maxBufferMs: 61_000 });
    const audio = tone(250, 16_000, 960_000, 8000 / 32_767);
    mixer.pushAudio('t', pcmFrame(audio, 16_000));
    const indices: number[] = [];
    let mismatches = 0;
    mixer.registerOutput((frame) => {
      const index = frame.position / 320;
      indices.push(index);
      expect(frame.sampleRate).toBe(16_000);
      for (let i = 0; i < frame.data.length; i++) if (frame.data[i] !== audio[index * 320 + i]) mismatches++;
    });
    mixer.start();
    vi.advanceTimersByTime(60_000);
    mixer.stop();
    expect(indices.length).toBe(3000);
    expect(indices.every((v, i) => v === i)).toBe(true);
    expect(mismatches).toBe(0);
    expect(mixer.stats().clock).toMatchObject({
      frames: 3000,
      stalls: 0,
      catchUpFrames: 0,
      skippedFrames: 0,
    });
    vi.advanceTimersByTime(1000);
    expect(indices.length).toBe(3000);
  });

  it('does not drift when every timer fires late', () => {
    // Timers that fire 7 ms late each time must not push the schedule back: frame k is due at (k+1)·20 ms.
    let lag = 0;
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20, now: () => performance.now() + lag });
    let frames = 0;
    mixer.registerOutput(() => {
      frames++;
      lag = 7;
    });
    mixer.start();
    vi.advanceTimersByTime(10_000);
    mixer.stop();
    expect(frames).toBe(500);
    expect(mixer.stats().clock.stalls).toBe(0);
  });

  it('after a 200 ms stall catches up to the right frame count without bursts, and counts the stall', () => {
    let stalled = 0;
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20, now: () => performance.now() + stalled });
    const perTick: number[] = [];
    let frames = 0;
    mixer.registerOutput(() => frames++);
    mixer.start();
    vi.advanceTimersByTime(1000);
    expect(frames).toBe(50);
    // The event loop is blocked for 200 ms: time moves on, no timer runs.
    stalled = 200;
    for (let t = 0; t < 400; t += 20) {
      const before = frames;
      vi.advanceTimersByTime(20);
      perTick.push(frames - before);
    }
    mixer.stop();
    // 1000 + 200 + 400 ms elapsed: 80 frames, the 10 missed ones spread one extra per tick.
    expect(frames).toBe(80);
    expect(Math.max(...perTick)).toBe(2);
    expect(perTick.filter((n) => n === 2).length).toBe(10);
    expect(mixer.stats().clock).toMatchObject({ frames: 80, stalls: 1, catchUpFrames: 10, skippedFrames: 0 });
    expect(mixer.stats().clock.stalledMs).toBeGreaterThanOrEqual(200);
  });

  it('skips a backlog longer than maxLagMs instead of replaying it', () => {
    let stalled = 0;
    const mixer = new AudioMixer({
      sampleRate: 8000,
      frameMs: 20,
      maxLagMs: 100,
      now: () => performance.now() + stalled,
    });
    let frames = 0;
    mixer.registerOutput(() => frames++);
    mixer.start();
    vi.advanceTimersByTime(200);
    stalled = 1000;
    vi.advanceTimersByTime(400);
    mixer.stop();
    const clock = mixer.stats().clock;
    expect(clock.frames + clock.skippedFrames).toBe(80);
    // At the first tick after the stall 61 frames are due and 10 were made: the backlog of 51 is cut to
    // maxLagMs (5 frames), which are then caught up.
    expect(clock.skippedFrames).toBe(46);
    expect(frames).toBe(34);
  });

  it('a throwing output is reported as an error event and the clock and other outputs keep going', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    const errors: MixerError[] = [];
    mixer.on('error', (e) => errors.push(e));
    let good = 0;
    mixer.registerOutput(() => {
      throw new Error('sink closed');
    });
    mixer.registerOutput(() => good++);
    mixer.start();
    vi.advanceTimersByTime(1000);
    mixer.stop();
    expect(good).toBe(50);
    expect(errors.length).toBe(50);
    expect(errors[0].code).toBe('OUTPUT_FAILED');
    expect(errors[0].message).toMatch(/sink closed/);
    expect(mixer.stats().outputErrors).toBe(50);
  });
});
