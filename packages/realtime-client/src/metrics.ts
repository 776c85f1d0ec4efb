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
  /**
   * Turn latency percentiles in ms over the last `LatencyWindow.DEFAULT_CAPACITY` (512) turns, from
   * `LatencyWindow` of `@voxwire/core`; `undefined` before the first turn.
   */
  turnLatencyP50Ms: number | undefined;
  turnLatencyP95Ms: number | undefined;
}
