/** A snapshot of a client's counters, from {@link RealtimeClient.metrics}. */
export interface RealtimeMetrics {
  /** Whether a socket is open now. */
  connected: boolean;
  /** Time with an open socket, summed over all connections, in ms. */
  uptimeMs: number;
  /** Client events written to a socket. */
  messagesSent: number;
  /** Server events received (including unparseable frames). */
  messagesReceived: number;
  /** Errors reported through the `error` event. */
  errors: number;
  /** Successful reconnections (after drops) and planned rollovers. */
  reconnects: number;
  /** Tool calls handled. */
  toolCalls: number;
  /** Audio appends dropped under backpressure, and their duration. */
  droppedAudioMessages: number;
  droppedAudioMs: number;
  /** Completed turns measured (speech stopped → first audio delta). */
  turns: number;
  /** Turn latency percentiles in ms over the last {@link LATENCY_WINDOW} turns; `null` before the first. */
  turnLatencyP50Ms: number | null;
  turnLatencyP95Ms: number | null;
}

/** How many recent turn latencies the percentiles are computed over. */
export const LATENCY_WINDOW = 512;

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: ArrayLike<number>, p: number): number | null {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank];
}

/** Bounded ring of recent latency samples. */
export class LatencyWindow {
  private readonly values = new Float64Array(LATENCY_WINDOW);
  private count = 0;
  private next = 0;
  /** Total samples ever recorded. */
  total = 0;

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_WINDOW;
    if (this.count < LATENCY_WINDOW) this.count++;
    this.total++;
  }

  percentile(p: number): number | null {
    return percentile(this.values.subarray(0, this.count), p);
  }
}
