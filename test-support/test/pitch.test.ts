import { describe, expect, it } from 'vitest';
import { concat, dominantFrequencyHz, estimatePitchHz, silence, tone } from '../src/index.js';

describe('estimatePitchHz', () => {
  it('finds a 440 Hz tone within 1 Hz at telephone and wideband rates', () => {
    for (const rate of [8000, 16000, 24000, 48000])
      expect(Math.abs(estimatePitchHz(tone(440, rate, rate / 2, 0.3), rate) - 440)).toBeLessThan(1);
  });

  it('tells tones a few Hz apart', () => {
    const a = estimatePitchHz(tone(1000, 16000, 8000), 16000);
    const b = estimatePitchHz(tone(1004, 16000, 8000), 16000);
    expect(b - a).toBeGreaterThan(3);
    expect(b - a).toBeLessThan(5);
  });

  it('measures one channel and one span, and reads 0 without a period', () => {
    const mixed = concat(silence(1000), tone(660, 8000, 4000, 0.5));
    expect(Math.abs(estimatePitchHz(mixed, 8000, { start: 1000 }) - 660)).toBeLessThan(1);
    expect(estimatePitchHz(mixed, 8000, { end: 1000 })).toBe(0);
    const stereo = tone(500, 8000, 4000, 0.5, { channels: 2 });
    expect(Math.abs(estimatePitchHz(stereo, 8000, { channels: 2, channel: 1 }) - 500)).toBeLessThan(1);
  });
});

describe('dominantFrequencyHz', () => {
  it('finds a 440 Hz tone within 1 Hz, beside a weaker tone and under noise', () => {
    const rate = 16000;
    expect(Math.abs(dominantFrequencyHz(tone(440, rate, rate / 2, 0.3), rate) - 440)).toBeLessThan(1);
    const weak = tone(1000, rate, rate / 2, 0.1);
    const mix = tone(440, rate, rate / 2, 0.3).map((v, i) => v + (weak[i] as number));
    expect(Math.abs(dominantFrequencyHz(mix, rate) - 440)).toBeLessThan(1);
    // Deterministic noise at −20 dB: zero crossings would jitter, the spectrum peak does not move.
    let seed = 1;
    const noisy = tone(440, rate, rate / 2, 0.3).map((v) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return v + ((seed / 2 ** 32) * 2 - 1) * 0.1 * 32767;
    });
    expect(Math.abs(dominantFrequencyHz(noisy, rate) - 440)).toBeLessThan(1);
  });
});
