import { describe, expect, it } from 'vitest';
import { LatencyWindow, VoxwireError } from '../src/index.js';

describe('LatencyWindow', () => {
  it('has no percentile or mean while empty', () => {
    const w = new LatencyWindow(8);
    expect(w.percentile(0.5)).toBeUndefined();
    expect(w.percentiles([0.5, 0.99])).toEqual([undefined, undefined]);
    expect(w.mean()).toBeUndefined();
    expect(w.size).toBe(0);
  });

  it('computes nearest-rank percentiles on 0–1 over the samples in the window', () => {
    const w = new LatencyWindow(100);
    for (let v = 100; v >= 1; v--) w.add(v); // 1..100 in reverse order
    expect(w.percentile(0)).toBe(1);
    expect(w.percentile(0.5)).toBe(50);
    expect(w.percentile(0.95)).toBe(95);
    expect(w.percentiles([0.99, 1])).toEqual([99, 100]);
    expect(w.mean()).toBe(50.5);
  });

  it('keeps only the most recent capacity samples, and counts all', () => {
    const w = new LatencyWindow(4);
    for (const v of [1000, 1000, 1, 2, 3, 4]) w.add(v);
    expect(w.size).toBe(4);
    expect(w.total).toBe(6);
    expect(w.percentile(1)).toBe(4);
    expect(w.mean()).toBe(2.5);
    w.reset();
    expect(w.size).toBe(0);
    expect(w.total).toBe(0);
  });

  it('ignores non-finite samples and refuses bad arguments with INVALID_ARGUMENT', () => {
    const w = new LatencyWindow(4);
    w.add(Number.NaN);
    w.add(Number.POSITIVE_INFINITY);
    expect(w.size).toBe(0);
    for (const p of [-0.1, 1.5, 50, Number.NaN]) {
      expect(() => w.percentile(p)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    for (const c of [0, 1.5, -1, 2 ** 21]) {
      expect(() => new LatencyWindow(c)).toThrow(VoxwireError);
    }
  });
});
