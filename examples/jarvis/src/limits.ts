/** Connection limits and timeouts of one Jarvis service (documented in the README's "Limits" section). */
export interface ServiceLimits {
  /** WebSockets open at once on the service; one more upgrade is refused with HTTP 503 `unavailable`. Default 256. */
  maxConnections: number;
  /** WebSockets open at once per user; one more is refused with HTTP 429 `busy`. Default 8. */
  maxConnectionsPerUser: number;
  /** Ping interval; a socket that has not answered the previous ping (stalled, gone) is cut. Default 30 000 ms. */
  heartbeatMs: number;
  /** Time clients get at shutdown to answer the close frame (1001) before their sockets are cut. Default 2000 ms. */
  closeGraceMs: number;
  /** Time to receive a request's headers (stalled clients are cut off). Default 10 000 ms. */
  headersTimeoutMs: number;
  /** Time to receive a whole request. Default 30 000 ms. */
  requestTimeoutMs: number;
}

/** The defaults. */
export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  maxConnections: 256,
  maxConnectionsPerUser: 8,
  heartbeatMs: 30_000,
  closeGraceMs: 2000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
});
