/** Counters of a {@link FrameClock}. */
export interface FrameClockStats {
  /** Frames produced since start. */
  frames: number;
  /** Event-loop stalls: ticks that found more than one frame due. */
  stalls: number;
  /** Total lateness found by those ticks, in ms. */
  stalledMs: number;
  /** Extra frames produced to catch up after stalls. */
  catchUpFrames: number;
  /** Frames given up because the clock fell further behind than `maxLagMs`. */
  skippedFrames: number;
}

/** Options of {@link FrameClock}. */
export interface FrameClockOptions {
  /** Monotonic time source in ms (default `performance.now`). */
  now?: () => number;
  /** Frames one tick may produce while catching up (default 2: one on time plus one extra). */
  maxFramesPerTick?: number;
  /** A backlog beyond this many ms is skipped rather than caught up (default 1000). */
  maxLagMs?: number;
}

/**
 * A drift-free frame clock on timers: frame k is due at `start + (k + 1) · frameMs`, computed from the start
 * time rather than from the previous timer (so timer lateness never accumulates). After an event-loop stall
 * it catches up at most `maxFramesPerTick - 1` extra frames per tick instead of bursting the whole backlog,
 * and counts the stall.
 */
export class FrameClock {
  private readonly now: () => number;
  private readonly maxFramesPerTick: number;
  private readonly maxLagFrames: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private startAt = 0;
  private inStall = false;
  private readonly counters: FrameClockStats = {
    frames: 0,
    stalls: 0,
    stalledMs: 0,
    catchUpFrames: 0,
    skippedFrames: 0,
  };
  private readonly onTimer = () => this.fire();

  /**
   * @param frameMs - period in ms
   * @param tick - produces one frame; `lateMs` is how far behind its due time it runs
   */
  constructor(
    private readonly frameMs: number,
    private readonly tick: (lateMs: number) => void,
    options: FrameClockOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.maxFramesPerTick = Math.max(1, options.maxFramesPerTick ?? 2);
    this.maxLagFrames = Math.max(1, Math.floor((options.maxLagMs ?? 1000) / frameMs));
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts ticking; the first frame is due one period from now. Counters restart. */
  start(): void {
    if (this.timer !== undefined) return;
    this.startAt = this.now();
    this.inStall = false;
    Object.assign(this.counters, { frames: 0, stalls: 0, stalledMs: 0, catchUpFrames: 0, skippedFrames: 0 });
    this.timer = setTimeout(this.onTimer, this.frameMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): FrameClockStats {
    return { ...this.counters };
  }

  private fire(): void {
    const c = this.counters;
    const now = this.now();
    const elapsedFrames = Math.floor((now - this.startAt) / this.frameMs);
    let owed = elapsedFrames - c.frames - c.skippedFrames;
    if (owed > 1 && !this.inStall) {
      // Late by at least a whole period: the event loop was blocked. Count the episode once.
      this.inStall = true;
      c.stalls++;
      c.stalledMs += now - (this.startAt + (c.frames + c.skippedFrames + 1) * this.frameMs);
    }
    if (owed > this.maxLagFrames) {
      c.skippedFrames += owed - this.maxLagFrames;
      owed = this.maxLagFrames;
    }
    const n = Math.min(owed, this.maxFramesPerTick);
    for (let i = 0; i < n && this.timer !== undefined; i++) {
      const due = this.startAt + (c.frames + c.skippedFrames + 1) * this.frameMs;
      c.frames++;
      if (i > 0) c.catchUpFrames++;
      this.tick(now - due);
    }
    if (owed - n <= 0) this.inStall = false;
    if (this.timer === undefined) return; // stopped from inside tick
    const next = this.startAt + (elapsedFrames + 1) * this.frameMs;
    this.timer = setTimeout(this.onTimer, Math.max(0, next - this.now()));
  }
}
