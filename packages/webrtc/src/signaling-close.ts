import { WebSocket } from 'ws';

/**
 * Sends a close frame and resolves once the socket is closed; a client that does not answer within `graceMs`
 * (it stopped reading, or stalled half-way through a frame) has its socket destroyed.
 */
export function closeGracefully(ws: WebSocket, code: number, reason: string, graceMs: number): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), graceMs);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  });
}
