/**
 * @voxwire/core — the conventions every voxwire package shares: the {@link VoxwireError} base with
 * SCREAMING_SNAKE_CASE codes, one way to emit `error`, the {@link LatencyWindow}, and the
 * {@link AsyncCloseable} lifecycle (async `close()` plus `Symbol.asyncDispose`) and server shape.
 * @packageDocumentation
 */

export { emitError } from './error-events.js';
export { type KeepAliveOptions, keepAlive, type PingableSocket } from './keepalive.js';
export { LatencyWindow, type LatencyWindowErrorCode } from './latency-window.js';
export { type AsyncCloseable, closeOnce, type ListenOptions, type StartedServer } from './lifecycle.js';
export { type ClosableSocket, closeWebSocket, DEFAULT_CLOSE_TIMEOUT_MS } from './socket-close.js';
export { isVoxwireError, VoxwireError } from './voxwire-error.js';
