import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import { concat, labelledSpeech, noise, noisySpeech, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  analyzeSignal,
  type QualityAlert,
  QualityMonitor,
  type QualityReport,
  qualityScore,
  VadError,
} from '../src/index.js';
import { mono, randomChunks } from './support/signals.js';

/** A tone with white noise at `snrDb` below the tone's power. */
function noisyTone(snrDb: number, seconds = 1, rate = 16000): Int16Array {
  const t = tone(1000, rate, seconds * rate, 0.5);
  const n = noise('white', t.length, 11);
  const k = (0.5 / Math.SQRT2) * 10 ** (-snrDb / 20) * 32768;
  return Int16Array.from(t, (v, i) => Math.round(v + n[i] * k));
}

describe('analyzeSignal', () => {
  it('measures level: RMS, peak and dBFS of a sine', () => {
    const m = analyzeSignal(tone(1000, 16000, 16000, 0.5), { sampleRate: 16000 });
    expect(m.rms).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(m.peak).toBeCloseTo(0.5, 3);
    expect(m.rmsDbfs).toBeCloseTo(-9.03, 1);
    expect(m.peakDbfs).toBeCloseTo(-6.02, 1);
    expect(m.clippingPercent).toBe(0);
    expect(m.frames).toBe(16000);
  });

  it('finds the tone and its THD: ~0 for a pure sine, 3 % and 1.2 % when harmonics are added', () => {
    const pure = analyzeSignal(tone(1000, 16000, 16000, 0.5), { sampleRate: 16000 });
    expect(pure.toneHz).toBeCloseTo(1000, 0);
    expect(pure.thdPercent).toBeLessThan(0.01);
    const h2 = analyzeSignal(tone(440, 48000, 0.5 * 48000, 0.5, { harmonics: [0.03] }), {
      sampleRate: 48000,
    });
    expect(h2.toneHz).toBeCloseTo(440, 0);
    expect(h2.thdPercent).toBeCloseTo(3, 1);
    const h23 = analyzeSignal(tone(700, 16000, 16000, 0.4, { harmonics: [0.0072, 0.0096] }), {
      sampleRate: 16000,
    });
    expect(h23.thdPercent).toBeCloseTo(1.2, 1);
  });

  it('estimates the SNR of a tone in noise (tonal method) within 1 dB', () => {
    for (const snr of [40, 30, 20]) {
      const m = analyzeSignal(noisyTone(snr), { sampleRate: 16000 });
      expect(m.snrMethod).toBe('tonal');
      expect(m.snrDb).toBeGreaterThan(snr - 1);
      expect(m.snrDb).toBeLessThan(snr + 1);
    }
  });

  it('estimates the SNR of speech with pauses in noise (temporal method) within 3 dB', () => {
    const set = labelledSpeech();
    for (const snr of [30, 20, 10]) {
      const m = analyzeSignal(noisySpeech(set, 'white', snr, 3), { sampleRate: 16000 });
      expect(m.snrMethod).toBe('temporal');
      expect(Math.abs(m.snrDb - snr)).toBeLessThan(3);
      expect(m.noiseFloorDbfs).toBeCloseTo(-26 - snr, 0);
    }
  });

  it('counts clipped samples', () => {
    const clipped = tone(100, 16000, 16000, 2); // 2× full scale: clipped most of the time
    for (let i = 0; i < clipped.length; i++)
      clipped[i] = Math.max(
        -32768,
        Math.min(32767, Math.round(2 * 32767 * Math.sin((2 * Math.PI * 100 * i) / 16000))),
      );
    let expected = 0;
    for (const v of clipped) if (v >= 32767 || v <= -32768) expected++;
    const m = analyzeSignal(clipped, { sampleRate: 16000 });
    expect(m.clippingPercent).toBeCloseTo((100 * expected) / clipped.length, 6);
    expect(m.clippingPercent).toBeGreaterThan(50);
    expect(m.qualityScore).toBeLessThan(60);
  });

  it('scores clean audio high and noisy or distorted audio low', () => {
    const clean = analyzeSignal(tone(1000, 16000, 16000, 0.5), { sampleRate: 16000 });
    expect(clean.qualityScore).toBeGreaterThan(99.9);
    expect(analyzeSignal(noisyTone(10), { sampleRate: 16000 }).qualityScore).toBeLessThan(60);
    expect(qualityScore({ snrDb: 20, thdPercent: 1, clippingPercent: 0.1 })).toBe(50);
    expect(qualityScore({ snrDb: Number.NaN, thdPercent: Number.NaN, clippingPercent: 0 })).toBe(100);
  });

  it('handles silence and steady noise without inventing an SNR', () => {
    const s = analyzeSignal(new Int16Array(16000), { sampleRate: 16000 });
    expect(s.rmsDbfs).toBe(-120);
    expect(s.snrMethod).toBe('none');
    expect(Number.isNaN(s.snrDb)).toBe(true);
    const n = noise('white', 16000, 5);
    const m = analyzeSignal(
      Float32Array.from(n, (v) => v * 0.05),
      { sampleRate: 16000 },
    );
    expect(m.snrMethod).toBe('none');
    expect(Number.isNaN(m.thdPercent)).toBe(true);
  });

  it('rejects bad input', () => {
    expect(() => analyzeSignal(new Int16Array(10), { sampleRate: 0 })).toThrow(/sampleRate/);
    expect(() => analyzeSignal(new Int16Array(11), { sampleRate: 16000, channels: 2 })).toThrow(
      /whole frames of 2 channels/,
    );
    expect(() => analyzeSignal([1, 2] as unknown as Int16Array, { sampleRate: 16000 })).toThrow(VadError);
  });
});

describe('QualityMonitor', () => {
  it('analyses every interval, raises alerts for low SNR and clipping, and summarises', () => {
    const monitor = new QualityMonitor({ sampleRate: 16000 });
    const alerts: QualityAlert[] = [];
    monitor.on('alert', (a) => alerts.push(a));
    const good = tone(1000, 16000, 2 * 16000, 0.5);
    const reports = monitor.push(mono(good));
    expect(reports).toHaveLength(2);
    expect(reports[1].qualityScore).toBeGreaterThan(99.9);
    expect(alerts).toHaveLength(0);
    monitor.push(mono(noisyTone(10, 2), 16000, 32000));
    expect(
      alerts.some(
        (a) => a.kind === 'low-snr' && /Low SNR detected: 1\d\.\d dB \(min 20 dB\)/.test(a.message),
      ),
    ).toBe(true);
    const clipped = Int16Array.from(tone(300, 16000, 2 * 16000, 1), (v) =>
      Math.abs(v) > 30000 ? Math.sign(v) * 32767 : v,
    );
    monitor.push(mono(clipped, 16000, 64000));
    expect(alerts.some((a) => a.kind === 'clipping')).toBe(true);
    const summary = monitor.summary();
    expect(summary.analyses).toBe(6);
    expect(summary.minScore).toBeLessThan(60);
    expect(summary.alerts['low-snr']).toBeGreaterThan(0);
    expect(monitor.last?.atSample).toBe(6 * 16000);
  });

  it('reports the same whatever the chunking', () => {
    const set = labelledSpeech();
    const pcm = noisySpeech(set, 'pink', 15).subarray(0, 16000 * 6);
    const all = (chunks: Int16Array[]) => {
      const m = new QualityMonitor({ sampleRate: 16000, thresholds: { minSnrDb: 25 } });
      const out: QualityReport[] = [];
      for (const c of chunks) out.push(...m.push(mono(c)));
      const tail = m.flush();
      if (tail) out.push(tail);
      return out;
    };
    const whole = all([pcm]);
    expect(whole).toHaveLength(6);
    expect(all(randomChunks(pcm, 700, 2))).toEqual(whole);
    expect(whole.at(-1)?.alerts.map((a) => a.kind)).toContain('low-snr');
    expect(all([concat(pcm, new Int16Array(100))]).at(-1)?.atSample).toBe(pcm.length + 100);
  });

  it('rejects bad input', () => {
    expect(() => new QualityMonitor({ sampleRate: Number.NaN })).toThrow(/sampleRate/);
    expect(() => new QualityMonitor({ sampleRate: 16000, windowMs: 5 })).toThrow(VadError);
    const m = new QualityMonitor({ sampleRate: 16000 });
    expect(() => m.push('abc' as unknown as AudioFrame)).toThrow(/mono AudioFrame of Int16 PCM/);
    expect(() => m.push(audioFrame(new Int16Array(4), 16000, 2))).toThrow(VadError);
    expect(() => m.push(mono(new Int16Array(4), 8000))).toThrow(/8000 Hz frame/);
  });
});
