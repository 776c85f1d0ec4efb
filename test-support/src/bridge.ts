// Attacker-side tools for the phone-bridge hostile tests: a WebSocket client on a bare TCP socket, so a test
// can do what a library client never would (stop in the middle of a frame, stop reading, send oversized
// frames, destroy the socket), and the process's open file descriptors.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Open file descriptors of this process (Linux `/proc/self/fd`). */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resident set size of this process, MB. */
export function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

let gc: (() => void) | undefined;

/**
 * Heap and RSS (MB) after a full garbage collection, so retained growth is not confused with garbage not yet
 * collected. (`gc` is exposed at run time: test runners do not pass `--expose-gc` to their workers.)
 */
export function settledMemory(): { heapMb: number; rssMb: number } {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
}

/** Polls `pred` every 20 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A WebSocket client on a raw socket: frames are built by hand and server frames parsed minimally. */
export class RawWsClient {
  /** The HTTP status of the upgrade answer (101 when accepted). */
  status = 0;
  /** Text messages received, parsed as JSON when they are. */
  readonly messages: unknown[] = [];
  /** Close code the server sent in its close frame, if any. */
  closeCode: number | null = null;
  /** Whether the TCP socket has closed. */
  closed = false;
  /**
   * Answer the server's close frame at once (default). Set false to keep talking after it, as a peer whose
   * messages were already in flight does; then call {@link RawWsClient.replyClose}.
   */
  endOnClose = true;
  private buf = Buffer.alloc(0);
  private upgraded = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  /** Connects and sends the upgrade request; resolves once the server answered it (any status). */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<RawWsClient> {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    const c = new RawWsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const lines = [
      `GET ${u.pathname}${u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    await waitUntil(() => c.status !== 0 || c.closed, 'the upgrade answer');
    return c;
  }

  /** One masked frame; `fin: false` or a `truncateTo` length leave the server mid-message or mid-frame. */
  frame(opcode: number, payload: Buffer, opts: { fin?: boolean; truncateTo?: number } = {}): void {
    const len = payload.length;
    const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
    const out = Buffer.alloc(head + 4 + len);
    out[0] = (opts.fin === false ? 0 : 0x80) | opcode;
    if (len < 126) out[1] = 0x80 | len;
    else if (len < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(len, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeBigUInt64BE(BigInt(len), 2);
    }
    const mask = randomBytes(4);
    mask.copy(out, head);
    for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
    this.socket.write(opts.truncateTo === undefined ? out : out.subarray(0, opts.truncateTo));
  }

  /** A text frame with `JSON.stringify(msg)` (or the string as is). */
  send(msg: unknown): void {
    this.frame(0x1, Buffer.from(typeof msg === 'string' ? msg : JSON.stringify(msg)));
  }

  /** Stops reading: the server's writes pile up in the kernel, then in its own buffers. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Resolves when the socket has closed. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await waitUntil(() => this.closed, 'the socket to close', timeoutMs);
  }

  /** Sends our close frame (1000) and ends the socket. */
  replyClose(): void {
    this.frame(0x8, Buffer.from([0x03, 0xe8]));
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.upgraded) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.buf.subarray(0, end).toString())?.[1] ?? -1);
      this.buf = this.buf.subarray(end + 4);
      this.upgraded = true;
    }
    for (;;) {
      if (this.buf.length < 2) return;
      const len7 = this.buf[1] & 0x7f;
      const head = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.buf.length < head) return;
      const len =
        len7 === 126 ? this.buf.readUInt16BE(2) : len7 === 127 ? Number(this.buf.readBigUInt64BE(2)) : len7;
      if (this.buf.length < head + len) return;
      const opcode = this.buf[0] & 0x0f;
      const payload = this.buf.subarray(head, head + len);
      this.buf = this.buf.subarray(head + len);
      if (opcode === 0x1) {
        const text = payload.toString();
        try {
          this.messages.push(JSON.parse(text));
        } catch {
          this.messages.push(text);
        }
      } else if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (this.endOnClose) this.replyClose();
      }
    }
  }
}
