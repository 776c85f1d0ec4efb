// Attacking a WebSocket server from outside the way a stranger would: raw TCP sockets that upgrade and then
// misbehave at the byte level (half frames, never reading, oversized frames, abrupt resets).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A raw client-side WebSocket connection: the socket after a 101, and what the server sent since. */
export interface RawWebSocket {
  socket: Socket;
  /** Bytes received after the 101 response (frames from the server). */
  received(): Buffer;
  /** Resolves when the server closed or reset the TCP connection. */
  ended: Promise<void>;
  /** The close code of the first close frame the server sent, once one arrived (else undefined). */
  closeCode(): number | undefined;
}

/**
 * Opens a TCP connection and performs a WebSocket upgrade by hand (so the test controls every byte after it).
 * @param url - `ws://host:port/path`
 * @returns the connection once the server answered 101
 * @throws Error with the status line when the server answered something else
 */
export async function rawUpgrade(url: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  socket.on('error', () => {}); // resets are expected in these tests; `ended` reports them
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (upgraded) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = buffer.subarray(0, buffer.indexOf('\r\n')).toString();
      buffer = buffer.subarray(end + 4);
      if (!status.includes(' 101 ')) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${status}`));
        return;
      }
      upgraded = true;
      resolve();
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('connection closed during the upgrade')));
  });
  return {
    socket,
    received: () => buffer,
    ended,
    closeCode: () => firstCloseCode(buffer),
  };
}

/** Encodes one masked client frame (opcode 1 = text, 2 = binary, 8 = close). */
export function clientFrame(payload: Buffer | string, opcode = 1): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = randomBytes(4);
  const len = data.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 255])
        : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), u64(len)]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, masked]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Walks unmasked server frames and returns the code of the first close frame, if any. */
function firstCloseCode(bytes: Buffer): number | undefined {
  let i = 0;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i] & 0x0f;
    let len = bytes[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) {
      if (off + 2 > bytes.length) return undefined;
      len = bytes.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (off + 8 > bytes.length) return undefined;
      len = Number(bytes.readBigUInt64BE(off));
      off += 8;
    }
    if (off + len > bytes.length) return undefined;
    if (opcode === 8) return len >= 2 ? bytes.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return undefined;
}

/**
 * Sends `request` (raw HTTP/1.1 text, so it can be anything a stranger would send) and resolves with the
 * status line of the answer, or `closed` when the server closed the socket without one.
 */
export function rawHttpStatus(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('error', () => {});
    socket.on('data', (b) => {
      text += b.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end !== -1) {
        resolve(text.slice(0, end));
        socket.destroy();
      }
    });
    socket.once('close', () => resolve('closed'));
    socket.write(request);
  });
}

/** A WebSocket upgrade request for `target`, exactly as written (no URL parsing on our side). */
export function upgradeRequest(target: string): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}
