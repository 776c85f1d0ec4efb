import type { WebSocket } from 'ws';

/** Default time a peer gets to answer our close frame before its socket is destroyed, in ms. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

/**
 * Sends a close frame with `code` and resolves once the socket is closed. A peer that does not answer within
 * `graceMs` (it stopped reading, or stalled half-way through a frame) has its socket destroyed, so closing
 * never waits on the far end for long. Idempotent.
 */
export function closeSocket(ws: WebSocket, code: number, reason: string, graceMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), graceMs);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A close reason is at most 123 bytes on the wire; ours are short ASCII.
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
    else if (ws.readyState === ws.CONNECTING) ws.terminate();
  });
}
