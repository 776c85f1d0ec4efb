import type { Duplex } from 'node:stream';

/**
 * Follows the client-to-server WebSocket frame boundaries on a raw socket by reading frame headers only
 * (payloads are skipped, never copied), so a peer that stops in the middle of a frame can be timed out.
 * The WebSocket library cannot tell: it just waits for the rest of the frame.
 */
export class WsFrameTracker {
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  private readonly header = new Uint8Array(14);
  private headerLen = 0;

  /** Feeds received bytes; returns whether the stream now sits on a frame boundary. */
  push(chunk: Uint8Array): boolean {
    const h = this.header;
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        continue;
      }
      h[this.headerLen++] = chunk[i++];
      if (this.headerLen < 2) continue;
      const len7 = h[1] & 0x7f;
      const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const need = 2 + ext + (h[1] & 0x80 ? 4 : 0);
      if (this.headerLen < need) continue;
      this.remaining =
        ext === 0
          ? len7
          : ext === 2
            ? (h[2] << 8) | h[3]
            : (h[2] * 2 ** 24 + ((h[3] << 16) | (h[4] << 8) | h[5])) * 2 ** 32 +
              (h[6] * 2 ** 24 + ((h[7] << 16) | (h[8] << 8) | h[9]));
      this.headerLen = 0;
    }
    return this.remaining === 0 && this.headerLen === 0;
  }
}

/**
 * Watches an upgraded WebSocket's raw socket and calls `onStall` when the peer has been in the middle of
 * a frame (header or payload) for `timeoutMs`: a slow-loris that trickles one frame forever. Returns a
 * function that stops watching (also done when the socket closes).
 */
export function guardFrameStalls(socket: Duplex, timeoutMs: number, onStall: () => void): () => void {
  const tracker = new WsFrameTracker();
  let timer: NodeJS.Timeout | null = null;
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const onData = (chunk: Buffer) => {
    if (tracker.push(chunk)) disarm();
    else if (!timer) {
      // Armed once per frame, not refreshed by more bytes: trickling does not buy time.
      timer = setTimeout(() => {
        timer = null;
        stop();
        onStall();
      }, timeoutMs);
    }
  };
  const stop = () => {
    disarm();
    socket.off('data', onData);
    socket.off('close', stop);
  };
  socket.on('data', onData);
  socket.once('close', stop);
  return stop;
}

/**
 * Closes a stalled WebSocket from beneath the library: a close frame with `code` (the peer learns why, if it
 * still reads), then the socket ends and is destroyed once that is flushed (or after a second at most).
 * The library's own `close()` would wait for the peer's close frame, which a peer stuck mid-frame never sends.
 */
export function closeStalledSocket(socket: Duplex, code: number, reason: string): void {
  const text = Buffer.from(reason).subarray(0, 120);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88; // FIN + close opcode, unmasked (server to client)
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  const kill = setTimeout(() => socket.destroy(), 1000);
  kill.unref();
  socket.once('close', () => clearTimeout(kill));
  if (socket.writable) socket.end(frame, () => socket.destroy());
  else socket.destroy();
}
