import { performance } from 'node:perf_hooks';

/**
 * Called once per frame slot. `skipped` is how many slots the clock skipped just before this one (an
 * event-loop stall longer than the catch-up limit); `nowMs` is the clock's reading (`performance.now()`) for
 * this wake-up, shared by every subscriber so none of them needs to read the clock itself.
 */
export type FrameSlotHandler = (skipped: number, nowMs: number) => void;

/** Counters of a {@link FrameClock}, for benchmarks and diagnostics. */
export interface FrameClockStats {
  /** Timer wake-ups since the process started using this clock. */
  wakeUps: number;
  /** Slots run (each calls every subscriber once). */
  slots: number;
  /** Slots skipped after event-loop stalls longer than the catch-up limit. */
  skippedSlots: number;
  /** Subscribers now. */
  subscribers: number;
}

/**
 * One real-time clock per frame period, shared by every peer of the process: a single timer wakes up once
 * per period and runs the slot of every subscribed peer, instead of one timer per peer (whose wake-ups cost
 * more than the work they do at a few dozen connections). Slots are counted from a monotonic start time, so
 * timer lateness does not accumulate into drift; after a stall longer than `maxCatchUpSlots` periods the
 * clock skips the missed slots instead of bursting a backlog onto the network. The timer runs only while
 * someone is subscribed and does not keep the process alive on its own (`unref`).
 */
export class FrameClock {
  private static readonly clocks = new Map<number, FrameClock>();

  /** The process-wide clock of this period. */
  static shared(periodMs: number): FrameClock {
    let clock = FrameClock.clocks.get(periodMs);
    if (!clock) {
      clock = new FrameClock(periodMs);
      FrameClock.clocks.set(periodMs, clock);
    }
    return clock;
  }

  /** Frame period, ms. */
  readonly periodMs: number;
  private readonly maxCatchUpSlots: number;
  /** Subscribers in the order they joined; rebuilt (not mutated) on change so a running tick is not disturbed. */
  private handlers: FrameSlotHandler[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startMs = 0;
  private slotIndex = 0;
  private readonly counters = { wakeUps: 0, slots: 0, skippedSlots: 0 };

  /**
   * @param periodMs - frame period
   * @param maxCatchUpSlots - most overdue slots run back to back after a stall
   */
  constructor(periodMs: number, maxCatchUpSlots = 5) {
    this.periodMs = periodMs;
    this.maxCatchUpSlots = maxCatchUpSlots;
  }

  /** Wake-ups, slots and subscribers so far. */
  stats(): FrameClockStats {
    return { ...this.counters, subscribers: this.handlers.length };
  }

  /**
   * Subscribes a handler. When the clock was idle it starts and the first slot runs at once; otherwise the
   * handler's first slot is the clock's next one (within one period), so every subscriber is on one grid.
   */
  add(handler: FrameSlotHandler): void {
    if (this.handlers.includes(handler)) return;
    this.handlers = [...this.handlers, handler];
    if (this.handlers.length === 1) {
      this.startMs = performance.now();
      this.slotIndex = 0;
      this.tick();
    }
  }

  /** Unsubscribes a handler; the timer stops with the last one. */
  remove(handler: FrameSlotHandler): void {
    if (!this.handlers.includes(handler)) return;
    this.handlers = this.handlers.filter((h) => h !== handler);
    if (this.handlers.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.counters.wakeUps++;
    const now = performance.now();
    let due = Math.floor((now - this.startMs) / this.periodMs) + 1 - this.slotIndex;
    let skipped = 0;
    if (due > this.maxCatchUpSlots) {
      skipped = due - this.maxCatchUpSlots;
      this.counters.skippedSlots += skipped;
      this.slotIndex += skipped;
      due = this.maxCatchUpSlots;
    }
    for (let i = 0; i < due && this.handlers.length > 0; i++) {
      this.slotIndex++;
      this.counters.slots++;
      const handlers = this.handlers;
      for (let h = 0; h < handlers.length; h++) {
        // One subscriber's failure (a throwing `drain` listener) must not silence every other peer: it is
        // rethrown on its own, as the per-peer timer it replaces would have thrown it.
        try {
          handlers[h](i === 0 ? skipped : 0, now);
        } catch (err) {
          process.nextTick(() => {
            throw err;
          });
        }
      }
    }
    if (this.handlers.length === 0) return;
    const next = this.startMs + this.slotIndex * this.periodMs;
    this.timer = setTimeout(this.tick, Math.max(0, next - performance.now()));
    // Peers hold their own sockets open; the clock alone must not keep a finished process running.
    this.timer.unref();
  };
}
