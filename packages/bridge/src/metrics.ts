import { LatencyWindow } from '@voxwire/core';
import type { QualitySummary } from '@voxwire/vad';

/** Distribution of one latency, in ms. */
export interface LatencySummary {
  /** Samples since the call began (the statistics cover the most recent 256). */
  count: number;
  /** The latest sample; `undefined` before the first (as every statistic of an empty window). */
  last: number | undefined;
  mean: number | undefined;
  /** Percentiles, nearest rank (`LatencyWindow` from `@voxwire/core`). */
  p50: number | undefined;
  p95: number | undefined;
}

/** What a {@link BridgeAlert} is about. */
export type BridgeAlertKind = 'turn-latency' | 'chunk-size';

/** A per-call threshold the bridge watches was crossed (see the bridge's `latencyAlertMs`, `chunkAlertBytes`). */
export interface BridgeAlert {
  kind: BridgeAlertKind;
  /** The measured value: ms for `turn-latency`, bytes for `chunk-size`. */
  value: number;
  /** The limit it crossed. */
  threshold: number;
  /** Human-readable, e.g. `turn latency 812 ms (over 500 ms)`. */
  message: string;
}

/** Per-call numbers of a bridged call. */
export interface BridgeMetrics {
  /** Model responses completed. */
  turns: number;
  bargeIns: number;
  dtmf: number;
  errors: number;
  /** Caller stops speaking (model's `speech_stopped`) → first agent audio handed to the platform. */
  turnLatencyMs: LatencySummary;
  /** Caller audio already sent when the agent was silenced, after the caller's first word (audio clock). */
  bargeInReactionMs: LatencySummary;
  chunksIn: number;
  chunksOut: number;
  /** Bytes of caller audio received and agent audio sent, in the encoding they travelled in (mu-law on a pass-through Twilio call). */
  bytesIn: number;
  bytesOut: number;
  /** Caller audio dropped because the model session took over 10 s to connect, ms. */
  droppedInputMs: number;
  /** Bridge alerts raised so far, by kind (caller-audio quality alerts are counted in `quality.alerts`). */
  alerts: Record<BridgeAlertKind, number>;
  /** Caller-audio quality over the call, when monitoring is on. */
  quality?: QualitySummary;
}

/** The most recent latencies kept per kind; older ones only count in `count`. */
const WINDOW = 256;

/** A latency series: the core {@link LatencyWindow} plus the last value, summarised for {@link BridgeMetrics}. */
class LatencySeries {
  private readonly window = new LatencyWindow(WINDOW);
  private last: number | undefined;

  add(ms: number): void {
    this.window.add(ms);
    this.last = ms;
  }

  summary(): LatencySummary {
    const [p50, p95] = this.window.percentiles([0.5, 0.95]);
    return { count: this.window.total, last: this.last, mean: this.window.mean(), p50, p95 };
  }
}

/** Mutable counters behind {@link BridgeMetrics}. */
export class BridgeMetricsCollector {
  turns = 0;
  bargeIns = 0;
  dtmf = 0;
  errors = 0;
  chunksIn = 0;
  chunksOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  droppedInputMs = 0;
  readonly alerts: Record<BridgeAlertKind, number> = { 'turn-latency': 0, 'chunk-size': 0 };
  readonly turnLatency = new LatencySeries();
  readonly bargeInReaction = new LatencySeries();

  snapshot(quality?: QualitySummary): BridgeMetrics {
    return {
      turns: this.turns,
      bargeIns: this.bargeIns,
      dtmf: this.dtmf,
      errors: this.errors,
      turnLatencyMs: this.turnLatency.summary(),
      bargeInReactionMs: this.bargeInReaction.summary(),
      chunksIn: this.chunksIn,
      chunksOut: this.chunksOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      droppedInputMs: this.droppedInputMs,
      alerts: { ...this.alerts },
      ...(quality ? { quality } : {}),
    };
  }
}
