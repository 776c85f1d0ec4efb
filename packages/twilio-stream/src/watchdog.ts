/**
 * Fires `onTimeout` when nothing was noted for `timeoutMs`. Per message it only bumps a counter: the one timer
 * re-arms itself when it finds activity, so a call costs one timer wake-up per `timeoutMs`, not per frame.
 */
export class IdleWatchdog {
  private count = 0;
  private seen = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;
  private readonly onTimeout: () => void;

  /** @param timeoutMs - 0 or Infinity disables the watchdog */
  constructor(timeoutMs: number, onTimeout: () => void) {
    this.timeoutMs = timeoutMs;
    this.onTimeout = onTimeout;
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) this.arm();
  }

  /** Notes activity. */
  note(): void {
    this.count++;
  }

  /** Stops the watchdog for good. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      if (this.count === this.seen) {
        this.timer = null;
        this.onTimeout();
        return;
      }
      this.seen = this.count;
      this.arm();
    }, this.timeoutMs);
    this.timer.unref();
  }
}
