// Attacker-side tool for the phone-bridge hostile tests: a WebSocket client on a bare TCP socket that, unlike
// `rawUpgrade`, also reports refused upgrades (401/404/503), parses what the server sends, and can keep talking
// after the server's close frame (late input) or stop reading.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { clientFrame } from './raw-websocket.js';
import { waitUntil } from './wait.js';

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

  /** One masked frame; a `truncateTo` length leaves the server in the middle of it. */
  frame(opcode: number, payload: Buffer, opts: { truncateTo?: number } = {}): void {
    const out = clientFrame(payload, opcode);
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
