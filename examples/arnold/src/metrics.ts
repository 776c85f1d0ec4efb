// Server-wide metrics for GET /metrics: the design's get_metrics() (uptime, messages, errors, reconnects,
// function calls, average latency), summed over live sessions (RealtimeClient.metrics()) and finished ones.
import type { RealtimeMetrics } from '@voxwire/realtime-client';

/** JSON body of `GET /metrics`. */
export interface ArnoldMetrics {
  uptime_seconds: number;
  backend: 'local' | 'openai';
  active_sessions: number;
  total_sessions: number;
  /** Time sessions had an open backend socket, summed, in seconds. */
  connection_uptime_seconds: number;
  messages_sent: number;
  messages_received: number;
  /** Backend and client-protocol errors. */
  errors: number;
  reconnects: number;
  function_calls: number;
  /** Mean time from end of the user's turn (speech stopped or text sent) to the first audio back, in ms. */
  average_latency_ms: number | null;
  latency_samples: number;
}

/** Counters kept across sessions. */
export class MetricsRegistry {
  private readonly startedAt = performance.now();
  private readonly live = new Set<() => RealtimeMetrics>();
  private closed = {
    uptimeMs: 0,
    messagesSent: 0,
    messagesReceived: 0,
    errors: 0,
    reconnects: 0,
    toolCalls: 0,
  };
  private totalSessions = 0;
  private clientErrors = 0;
  private latencySumMs = 0;
  private latencyCount = 0;

  /** Registers a live session's metrics source; returns the function to call when it ends. */
  track(source: () => RealtimeMetrics): () => void {
    this.totalSessions++;
    this.live.add(source);
    return () => {
      if (!this.live.delete(source)) return;
      const m = source();
      const c = this.closed;
      this.closed = {
        uptimeMs: c.uptimeMs + m.uptimeMs,
        messagesSent: c.messagesSent + m.messagesSent,
        messagesReceived: c.messagesReceived + m.messagesReceived,
        errors: c.errors + m.errors,
        reconnects: c.reconnects + m.reconnects,
        toolCalls: c.toolCalls + m.toolCalls,
      };
    };
  }

  /** Counts an error in what a client sent (bad JSON, non-PCM binary, …). */
  clientError(): void {
    this.clientErrors++;
  }

  /** Records one turn's latency. */
  latency(ms: number): void {
    this.latencySumMs += ms;
    this.latencyCount++;
  }

  snapshot(backend: 'local' | 'openai'): ArnoldMetrics {
    const sum = { ...this.closed };
    for (const source of this.live) {
      const m = source();
      sum.uptimeMs += m.uptimeMs;
      sum.messagesSent += m.messagesSent;
      sum.messagesReceived += m.messagesReceived;
      sum.errors += m.errors;
      sum.reconnects += m.reconnects;
      sum.toolCalls += m.toolCalls;
    }
    return {
      uptime_seconds: Math.round((performance.now() - this.startedAt) / 100) / 10,
      backend,
      active_sessions: this.live.size,
      total_sessions: this.totalSessions,
      connection_uptime_seconds: Math.round(sum.uptimeMs / 100) / 10,
      messages_sent: sum.messagesSent,
      messages_received: sum.messagesReceived,
      errors: sum.errors + this.clientErrors,
      reconnects: sum.reconnects,
      function_calls: sum.toolCalls,
      average_latency_ms:
        this.latencyCount > 0 ? Math.round((this.latencySumMs / this.latencyCount) * 10) / 10 : null,
      latency_samples: this.latencyCount,
    };
  }
}
