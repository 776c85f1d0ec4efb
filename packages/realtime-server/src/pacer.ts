/** How audio deltas are paced: at playback speed like the real service, or as fast as possible. */
export type PacingMode = 'realtime' | 'fast';

/**
 * Schedules the chunks of one audio stream. In `realtime` mode chunk k leaves at start + k × chunk duration
 * (absolute deadlines, so timer jitter does not accumulate); in `fast` mode each chunk only yields to the
 * event loop, so cancellations and client events still interleave.
 */
export class Pacer {
  private readonly startedAt = performance.now();

  constructor(
    private readonly mode: PacingMode,
    private readonly chunkMs: number,
  ) {}

  /** Resolves when chunk `index` may be sent; resolves `false` at once if `signal` aborts. */
  wait(index: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    const delay = this.mode === 'fast' ? 0 : this.startedAt + index * this.chunkMs - performance.now();
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
