import type { Duplex } from 'node:stream';

/**
 * Answers an HTTP upgrade request with a bare status and closes the socket once the answer is flushed (a
 * reset before that would hide the status from the client). Every refused upgrade must get one: an
 * unanswered socket stays open and holds a file descriptor.
 */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
    socket.destroy(),
  );
}
