/** The part of a WebSocket (`ws`'s `WebSocket`) {@link keepAlive} uses. */
export interface PingableSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'close', listener: () => void): unknown;
  off(event: 'pong' | 'close', listener: () => void): unknown;
}

/** Options of {@link keepAlive}. */
export interface KeepAliveOptions {
  /** Time between pings, ms. */
  intervalMs: number;
  /** A ping unanswered this long means the peer is gone, ms. At most `intervalMs`. */
  timeoutMs: number;
  /** Called once when a pong is late, before the socket is terminated. */
  onDead?: () => void;
}

/**
 * Pings a WebSocket peer every `intervalMs`; one that does not answer within `timeoutMs` (a dead peer, a
 * half-open TCP connection, a network that swallowed the close) is terminated, so its call ends within
 * `intervalMs + timeoutMs` instead of holding a session until some idle timeout. Stops by itself when the
 * socket closes; the returned function stops it earlier. The timers do not keep the process alive.
 */
export function keepAlive(socket: PingableSocket, options: KeepAliveOptions): () => void {
  const timeoutMs = Math.min(options.timeoutMs, options.intervalMs);
  let deadline: NodeJS.Timeout | null = null;
  const onPong = () => {
    if (deadline) clearTimeout(deadline);
    deadline = null;
  };
  const ping = setInterval(() => {
    if (deadline) return; // the previous ping is still within its timeout
    try {
      socket.ping();
    } catch {
      return; // not open (closing): the close listener stops the keepalive
    }
    deadline = setTimeout(() => {
      stop();
      options.onDead?.();
      socket.terminate();
    }, timeoutMs);
    deadline.unref();
  }, options.intervalMs);
  ping.unref();
  const stop = () => {
    clearInterval(ping);
    if (deadline) clearTimeout(deadline);
    deadline = null;
    socket.off('pong', onPong);
    socket.off('close', stop);
  };
  socket.on('pong', onPong);
  socket.on('close', stop);
  return stop;
}
