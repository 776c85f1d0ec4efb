/**
 * How audio deltas are paced: `ahead` (default) sends faster than playback like the real service, so clients
 * hold seconds of audio; `realtime` sends at playback speed; `fast` does not wait at all.
 */
export type PacingMode = 'ahead' | 'realtime' | 'fast';

/** Playback speeds of audio sent in `ahead` mode, unless configured. */
export const DEFAULT_AHEAD_SPEED = 4;

/**
 * Schedules the chunks of one audio stream. In `realtime` and `ahead` modes chunk k leaves at
 * start + k × chunk duration ÷ speed (absolute deadlines, so timer jitter does not accumulate); in `fast`
 * mode each chunk only yields to the event loop, so cancellations and client events still interleave.
 */
export class Pacer {
  private readonly startedAt = performance.now();
  private readonly msPerChunk: number;

  /**
   * @param speed - playback speeds per wall-clock second in `ahead` mode (`realtime` is 1)
   */
  constructor(mode: PacingMode, chunkMs: number, speed = DEFAULT_AHEAD_SPEED) {
    this.msPerChunk = mode === 'fast' ? 0 : mode === 'realtime' ? chunkMs : chunkMs / speed;
  }

  /** Resolves when chunk `index` may be sent; resolves `false` at once if `signal` aborts. */
  wait(index: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    const delay = this.startedAt + index * this.msPerChunk - performance.now();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(!signal.aborted);
      };
      const timer = delay > 1 ? setTimeout(done, delay) : undefined;
      const immediate = timer === undefined ? setImmediate(done) : undefined;
      const onAbort = () => {
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
