/** A fixed window of the most recent samples of a measurement, with percentiles on demand. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 4096) {
    this.values = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }

  /** Records one sample; never allocates. */
  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /** Percentile `p` in [0, 1] of the window (NaN when empty). */
  percentiles(ps: readonly number[]): number[] {
    if (this.filled === 0) return ps.map(() => Number.NaN);
    const view = this.sorted.subarray(0, this.filled);
    view.set(this.values.subarray(0, this.filled));
    view.sort();
    return ps.map((p) => view[Math.min(this.filled - 1, Math.floor(p * this.filled))] as number);
  }

  mean(): number {
    if (this.filled === 0) return Number.NaN;
    let sum = 0;
    for (let i = 0; i < this.filled; i++) sum += this.values[i] as number;
    return sum / this.filled;
  }

  max(): number {
    let m = Number.NaN;
    for (let i = 0; i < this.filled; i++) {
      const v = this.values[i] as number;
      if (!(v <= m)) m = v;
    }
    return m;
  }
}
