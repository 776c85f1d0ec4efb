/** Average and 95th-percentile latency over a recent window, in milliseconds. */
export interface LatencyStats {
  /** Mean over the window. */
  avgMs: number;
  /** 95th percentile over the window. */
  p95Ms: number;
  /** Largest value in the window. */
  maxMs: number;
  /** How many frames the window holds. */
  count: number;
}

/**
 * The latency monitor of the OpenClaw design: records one latency value per mixed frame in a fixed window
 * (no allocation when recording) and summarises it on demand.
 */
export class LatencyMonitor {
  private readonly values: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(window = 500) {
    this.values = new Float64Array(window);
    this.sorted = new Float64Array(window);
  }

  record(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  stats(): LatencyStats {
    const n = this.filled;
    if (n === 0) return { avgMs: 0, p95Ms: 0, maxMs: 0, count: 0 };
    const s = this.sorted.subarray(0, n);
    s.set(this.values.subarray(0, n));
    s.sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i];
    return { avgMs: sum / n, p95Ms: s[Math.min(n - 1, Math.ceil(0.95 * n) - 1)], maxMs: s[n - 1], count: n };
  }

  reset(): void {
    this.next = 0;
    this.filled = 0;
  }
}
