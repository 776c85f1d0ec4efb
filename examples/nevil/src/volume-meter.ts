/**
 * RMS level (0..1 of full scale) over fixed windows of interleaved PCM16, whatever the block sizes.
 * No allocation per block.
 */
export class VolumeMeter {
  private readonly windowLength: number;
  private sum = 0;
  private count = 0;
  private current = 0;

  /** @param windowLength - values (samples × channels) per measurement */
  constructor(windowLength: number) {
    this.windowLength = Math.max(1, Math.round(windowLength));
  }

  /** Level of the last complete window. */
  get level(): number {
    return this.current;
  }

  /**
   * Adds samples; `onLevel` is called with each completed window's level when it differs from the previous
   * one (the design's "on volume level changes").
   */
  push(block: Int16Array, onLevel: (level: number) => void): void {
    const L = this.windowLength;
    let sum = this.sum;
    let count = this.count;
    for (let i = 0; i < block.length; i++) {
      const v = block[i] as number;
      sum += v * v;
      if (++count === L) {
        const level = Math.min(1, Math.sqrt(sum / L) / 32768);
        sum = 0;
        count = 0;
        if (level !== this.current) {
          this.current = level;
          this.sum = sum;
          this.count = count;
          onLevel(level);
        }
      }
    }
    this.sum = sum;
    this.count = count;
  }

  /** Forgets the partial window (the level is kept for `getCurrentVolume`). */
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

/** RMS of PCM16 samples, 0..1 of full scale. */
export function rmsLevel(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] as number;
    sum += v * v;
  }
  return Math.min(1, Math.sqrt(sum / pcm.length) / 32768);
}
