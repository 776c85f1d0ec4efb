import { describe, expect, it } from 'vitest';
import { AudioRing } from '../src/index.js';

describe('AudioRing', () => {
  it('moves whole interleaved frames and carries the format in the header', () => {
    const producer = AudioRing.create({ sampleRate: 48_000, channels: 2, frames: 5, Type: Int16Array });
    // 10 samples round up to 16 elements = 8 whole stereo frames.
    expect(producer.capacityFrames).toBe(8);
    const consumer = new AudioRing(producer.sab, Int16Array);
    expect({ sampleRate: consumer.sampleRate, channels: consumer.channels }).toEqual({
      sampleRate: 48_000,
      channels: 2,
    });

    const stereo = Int16Array.from({ length: 12 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
    expect(producer.pushFrames(stereo)).toBe(6);
    expect(consumer.framesAvailable()).toBe(6);
    expect(producer.framesWritable()).toBe(2);
    expect(producer.pushFrames(stereo, 2, 4)).toBe(2);
    expect(producer.ring.overruns).toBe(1);

    const out = new Int16Array(20);
    expect(consumer.peekFrames(out, 0, 1)).toBe(1);
    expect(Array.from(out.subarray(0, 2))).toEqual([1, -2]);
    expect(consumer.popFrames(out)).toBe(8);
    expect(Array.from(out.subarray(0, 16))).toEqual([...stereo, ...stereo.subarray(4, 8)]);
    expect(consumer.ring.underruns).toBe(1);
  });

  it('never splits a frame when the room is not a whole number of frames', () => {
    const ring = AudioRing.create({ sampleRate: 8000, channels: 3, frames: 5, Type: Float32Array });
    // 15 samples round up to 16 elements: 5 whole frames and one element that is never used.
    expect(ring.capacityFrames).toBe(5);
    const frames = Float32Array.from({ length: 21 }, (_, i) => i);
    expect(ring.pushFrames(frames)).toBe(5);
    expect(ring.ring.availableRead()).toBe(15);
    const out = new Float32Array(6);
    expect(ring.popFrames(out)).toBe(2);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ring.pushFrames(frames, 5, 2)).toBe(2);
    expect(ring.skipFrames(3)).toBe(3);
    expect(ring.popFrames(out)).toBe(2);
    expect(Array.from(out)).toEqual([15, 16, 17, 18, 19, 20]);
    expect(ring.clear()).toBe(0);
  });
});
