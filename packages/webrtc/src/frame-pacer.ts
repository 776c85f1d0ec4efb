import { performance } from 'node:perf_hooks';

/**
 * Calls `onSlot` once per frame period in real time. Slots are counted from a monotonic start time, so timer
 * lateness does not accumulate into drift; after a stall longer than `maxCatchUpSlots` periods the clock
 * skips the missed slots instead of bursting a backlog onto the network.
 */
export class FramePacer {
  private readonly periodMs: number;
  private readonly onSlot: (skipped: number) => void;
  private readonly maxCatchUpSlots: number;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private startMs = 0;
  private slots = 0;
  /** Slots skipped because the event loop stalled past the catch-up limit. */
  skippedSlots = 0;

  /**
   * @param periodMs - frame period
   * @param onSlot - called once per slot; `skipped` is how many slots were skipped just before this one
   * @param maxCatchUpSlots - most overdue slots run back to back after a stall
   */
  constructor(periodMs: number, onSlot: (skipped: number) => void, maxCatchUpSlots = 5) {
    this.periodMs = periodMs;
    this.onSlot = onSlot;
    this.maxCatchUpSlots = maxCatchUpSlots;
  }

  /** Whether the pacer is running. */
  get running(): boolean {
    return this.active;
  }

  /** Starts the clock; the first slot fires at once. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.startMs = performance.now();
    this.slots = 0;
    this.tick();
  }

  /** Stops the clock and clears its timer. */
  stop(): void {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    let due = Math.floor((performance.now() - this.startMs) / this.periodMs) + 1 - this.slots;
    let skipped = 0;
    if (due > this.maxCatchUpSlots) {
      skipped = due - this.maxCatchUpSlots;
      this.skippedSlots += skipped;
      this.slots += skipped;
      due = this.maxCatchUpSlots;
    }
    for (let i = 0; i < due && this.active; i++) {
      this.slots++;
      this.onSlot(i === 0 ? skipped : 0);
    }
    if (!this.active) return;
    const next = this.startMs + this.slots * this.periodMs;
    this.timer = setTimeout(this.tick, Math.max(0, next - performance.now()));
  };
}
