/** Reconnection policy (the Arnold design's defaults). */
export interface ReconnectOptions {
  /** Attempts after a drop before giving up. Default 5. 0 disables reconnection. */
  maxRetries?: number;
  /** Delay before the first attempt. Default 1000 ms. */
  initialDelayMs?: number;
  /** Upper bound of any delay. Default 60000 ms. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /**
   * Fraction of each delay that is randomised, so that many clients dropped together do not reconnect in
   * lock-step. Default 0.5: the delay is uniform in [d/2, d].
   */
  jitter?: number;
}

/** {@link ReconnectOptions} with every field filled in. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** The defaults: `{ maxRetries: 5, initialDelayMs: 1000, maxDelayMs: 60000, factor: 2, jitter: 0.5 }`. */
export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = Object.freeze({
  maxRetries: 5,
  initialDelayMs: 1000,
  maxDelayMs: 60000,
  factor: 2,
  jitter: 0.5,
});

/**
 * Delay before reconnection attempt `attempt` (1-based): exponential growth capped at `maxDelayMs`, with
 * the top `jitter` fraction randomised.
 * @param random - a uniform [0, 1) source (injectable for tests)
 */
export function backoffDelay(
  policy: ReconnectPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
