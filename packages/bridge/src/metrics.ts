import { percentile } from '@voxwire/realtime-client';
import type { QualitySummary } from '@voxwire/vad';

/** Distribution of one latency, in ms. */
export interface LatencySummary {
  count: number;
  last: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
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
  /** PCM bytes of caller audio received and agent audio sent. */
  bytesIn: number;
  bytesOut: number;
  /** Caller audio dropped because the model session took over 10 s to connect, ms. */
  droppedInputMs: number;
  /** Caller-audio quality over the call, when monitoring is on. */
  quality?: QualitySummary;
}

/** The most recent latencies kept per kind; older ones only count in `count`. */
const WINDOW = 256;

/** A bounded window of latency samples. */
export class LatencyWindow {
  private readonly values: number[] = [];
  private total = 0;

  add(ms: number): void {
    this.total++;
    this.values.push(ms);
    if (this.values.length > WINDOW) this.values.shift();
  }

  summary(): LatencySummary {
    const v = this.values;
    return {
      count: this.total,
      last: v.length ? v[v.length - 1] : null,
      mean: v.length ? v.reduce((a, b) => a + b, 0) / v.length : null,
      p50: percentile(v, 50),
      p95: percentile(v, 95),
    };
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
  readonly turnLatency = new LatencyWindow();
  readonly bargeInReaction = new LatencyWindow();

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
      ...(quality ? { quality } : {}),
    };
  }
}
