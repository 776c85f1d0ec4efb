// Closing a WebSocket without waiting on the far end for long: a close frame, then the socket destroyed if the
// peer has not answered within a grace period (it stopped reading, or stalled half-way through a frame).

/** The part of a WebSocket (`ws`'s `WebSocket`) {@link closeWebSocket} uses. */
export interface ClosableSocket {
  /** The WebSocket ready state: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** Default time a peer gets to answer our close frame before its socket is destroyed, in ms. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * Sends a close frame with `code` and `reason` (at most 123 bytes of UTF-8 on the wire) and resolves once the
 * socket is closed. A peer that has not answered within `graceMs` has its socket destroyed; a socket still
 * connecting is destroyed at once. Safe to call again, and on a socket already closing or closed. The grace
 * timer does not keep the process alive.
 */
export function closeWebSocket(
  socket: ClosableSocket,
  code: number,
  reason: string,
  graceMs: number = DEFAULT_CLOSE_TIMEOUT_MS,
): Promise<void> {
  if (socket.readyState === CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.terminate(), graceMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === OPEN) socket.close(code, reason);
    else if (socket.readyState === CONNECTING) socket.terminate();
  });
}
