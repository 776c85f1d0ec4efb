/**
 * A gain that moves linearly to a new value over a number of frames instead of jumping, so gain changes and
 * mutes do not click ("zipper" noise). Applied per frame (all channels of a frame share one gain).
 */
export class GainRamp {
  /** Gain applied to the last frame processed. */
  current: number;
  /** Where the ramp is heading. */
  target: number;
  private step = 0;
  private remaining = 0;

  constructor(initial: number) {
    this.current = initial;
    this.target = initial;
  }

  /** Starts a ramp from the current value to `target` over `frames` frames (0: jump). */
  rampTo(target: number, frames: number): void {
    this.target = target;
    if (frames <= 0 || target === this.current) {
      this.current = target;
      this.remaining = 0;
      return;
    }
    this.remaining = frames;
    this.step = (target - this.current) / frames;
  }

  /** True when the gain is constant exactly 1 (the caller can skip the multiply). */
  get isUnity(): boolean {
    return this.remaining === 0 && this.current === 1;
  }

  /** True when the gain is constant exactly 0 (the input contributes nothing). */
  get isSilent(): boolean {
    return this.remaining === 0 && this.current === 0;
  }

  /** Multiplies `frames` interleaved frames of `buf` by the (ramping) gain, in place. */
  apply(buf: Float32Array, frames: number, channels: number): void {
    if (this.remaining === 0) {
      const g = this.current;
      if (g !== 1) for (let i = 0, n = frames * channels; i < n; i++) buf[i] *= g;
      return;
    }
    let g = this.current;
    let i = 0;
    for (let f = 0; f < frames; f++) {
      if (this.remaining > 0) {
        g += this.step;
        if (--this.remaining === 0) g = this.target;
      }
      for (let c = 0; c < channels; c++, i++) buf[i] *= g;
    }
    this.current = g;
  }
}
