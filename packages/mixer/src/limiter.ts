/**
 * Peak limiter on the mix: instant attack, exponential release. Each sample's gain is the smaller of the
 * released envelope and `threshold / |x|`, so the output never exceeds `threshold` (below full scale), and
 * after a peak the gain recovers smoothly instead of chopping the waveform like a hard clip. Signals whose
 * peaks stay under the threshold pass bit-exact (gain exactly 1).
 */
export class SoftLimiter {
  /** Gain reductions applied so far (samples whose gain was below 1). */
  limitedSamples = 0;
  private env = 1;
  private readonly release: number;

  /**
   * @param threshold - linear ceiling in (0, 1], default 0.891 (−1 dBFS)
   * @param releaseSamples - samples for the gain to recover ~63 % of the way back to 1
   */
  constructor(
    readonly threshold: number,
    releaseSamples: number,
  ) {
    this.release = Math.exp(-1 / Math.max(1, releaseSamples));
  }

  /** Limits `n` interleaved samples of `buf` in place; channels share the gain (`channels` per frame). */
  process(buf: Float32Array, n: number, channels: number): void {
    const t = this.threshold;
    const rel = this.release;
    let env = this.env;
    let limited = 0;
    for (let i = 0; i < n; i += channels) {
      // Frame peak across channels, so stereo images do not shift.
      let peak = 0;
      for (let c = 0; c < channels; c++) {
        const a = Math.abs(buf[i + c]);
        // NaN never reaches the output: treat it as silence.
        if (Number.isNaN(a)) buf[i + c] = 0;
        else if (a > peak) peak = a;
      }
      if (env < 1) {
        env = 1 - (1 - env) * rel;
        if (env > 0.999999) env = 1;
      }
      const needed = peak * env > t ? t / peak : env;
      if (needed < env) env = needed;
      if (env < 1) {
        limited++;
        for (let c = 0; c < channels; c++) buf[i + c] *= env;
      }
    }
    this.env = env;
    this.limitedSamples += limited;
  }

  /** Current gain reduction (1 = none). */
  get gain(): number {
    return this.env;
  }
}
