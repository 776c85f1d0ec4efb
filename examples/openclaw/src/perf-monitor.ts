// The performance monitor of the design (CPU, memory, underruns), every 5 s to the log and at GET /metrics.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from './logger.js';

/** Sampling period of the event-loop delay histogram; it is part of every sample and subtracted. */
const LOOP_RESOLUTION_MS = 10;

/** One report of {@link PerformanceMonitor}. */
export interface PerfSnapshot {
  time: string;
  /** Process CPU over the last interval, % of one core. */
  cpuPercent: number;
  memory: { rssMb: number; heapUsedMb: number; externalMb: number; arrayBuffersMb: number };
  /** Event-loop delay over the last interval, ms. */
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Whatever the app adds: underruns, participants, latency. */
  audio: Record<string, unknown>;
}

/** Options of {@link PerformanceMonitor}. */
export interface PerformanceMonitorOptions {
  /** Report interval, ms (0 = no timer; call {@link PerformanceMonitor.snapshot} yourself). */
  intervalMs: number;
  /** Audio figures to include (called once per snapshot). */
  audio: () => Record<string, unknown>;
  log: Logger;
  /** CPU % above which a report is a warning (default 80). */
  cpuWarnPercent?: number;
}

/** Samples process CPU, memory and event-loop delay; logs a report every interval. */
export class PerformanceMonitor {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private latest: PerfSnapshot | undefined;

  constructor(private readonly opts: PerformanceMonitorOptions) {}

  start(): void {
    this.loop.enable();
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
    if (this.opts.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.report(), this.opts.intervalMs);
      this.timer.unref();
    }
  }

  /** Takes a snapshot now (CPU and loop delay since the previous one) and keeps it as the latest. */
  snapshot(): PerfSnapshot {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const mem = process.memoryUsage();
    const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
    const ms = (ns: number) =>
      Math.max(0, Math.round((Number.isFinite(ns) ? ns : 0) / 1e4) / 100 - LOOP_RESOLUTION_MS);
    const snap: PerfSnapshot = {
      time: new Date().toISOString(),
      cpuPercent: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10,
      memory: {
        rssMb: mb(mem.rss),
        heapUsedMb: mb(mem.heapUsed),
        externalMb: mb(mem.external),
        arrayBuffersMb: mb(mem.arrayBuffers),
      },
      eventLoopDelay: {
        p50Ms: ms(this.loop.percentile(50)),
        p99Ms: ms(this.loop.percentile(99)),
        maxMs: ms(this.loop.max),
      },
      audio: this.opts.audio(),
    };
    this.loop.reset();
    this.latest = snap;
    return snap;
  }

  /** The latest snapshot (taking one if there is none yet). */
  current(): PerfSnapshot {
    return this.latest ?? this.snapshot();
  }

  private report(): void {
    const s = this.snapshot();
    const warn = s.cpuPercent > (this.opts.cpuWarnPercent ?? 80);
    this.opts.log[warn ? 'warn' : 'info'](warn ? 'performance: high CPU' : 'performance', { ...s });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.loop.disable();
  }
}
