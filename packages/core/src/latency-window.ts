import { VoxwireError } from './voxwire-error.js';

/** Error codes of {@link LatencyWindow}. */
export type LatencyWindowErrorCode = 'INVALID_ARGUMENT';

/**
 * The most recent `capacity` samples of a measurement (latencies in ms, usually), with percentiles on
 * demand. Recording is O(1) and allocation-free, so it can sit on a per-frame path.
 *
 * Percentiles take `p` on 0–1 (0.5 is the median) and use the nearest-rank method; an empty window
 * has no percentile and returns `undefined`.
 */
export class LatencyWindow {
  /** The default capacity: enough turns or frames to make p99 meaningful. */
  static readonly DEFAULT_CAPACITY = 512;

  private readonly values: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;
  /** Samples recorded since creation (or the last {@link reset}), including those that left the window. */
  total = 0;

  constructor(readonly capacity: number = LatencyWindow.DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) {
      throw new VoxwireError(
        'INVALID_ARGUMENT',
        `LatencyWindow capacity must be an integer in 1..${1 << 20}`,
      );
    }
    this.values = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  /** Records one sample. Non-finite values are ignored. */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.count === this.capacity) this.sum -= this.values[this.next];
    else this.count++;
    this.values[this.next] = value;
    this.sum += value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.total++;
  }

  /** Samples in the window now. */
  get size(): number {
    return this.count;
  }

  /** Mean of the window, or `undefined` when empty. */
  mean(): number | undefined {
    return this.count === 0 ? undefined : this.sum / this.count;
  }

  /** Nearest-rank percentile, `p` in 0–1; `undefined` when empty. */
  percentile(p: number): number | undefined {
    return this.percentiles([p])[0];
  }

  /** Several percentiles from one sort, each `p` in 0–1; `undefined` entries when empty. */
  percentiles(ps: readonly number[]): (number | undefined)[] {
    for (const p of ps) {
      if (!(p >= 0 && p <= 1))
        throw new VoxwireError('INVALID_ARGUMENT', `percentile must be in 0..1, got ${p}`);
    }
    const n = this.count;
    if (n === 0) return ps.map(() => undefined);
    const sorted = this.scratch.subarray(0, n);
    sorted.set(this.values.subarray(0, n));
    sorted.sort();
    return ps.map((p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]);
  }

  /** Forgets every sample. */
  reset(): void {
    this.count = 0;
    this.next = 0;
    this.sum = 0;
    this.total = 0;
  }
}
