import WebSocket from 'ws';

/** `readyState` of an open socket (same value in `ws` and the WHATWG WebSocket). */
export const OPEN = 1;

/**
 * The part of a `ws` WebSocket the client uses. Inject another implementation (a proxy-aware or
 * instrumented subclass of `ws`, say) through `RealtimeClientOptions.WebSocket`.
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
  send(data: string, callback?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  /** Hard close without the closing handshake (used when heartbeats go unanswered). */
  terminate?(): void;
  /** Sends a ping frame (heartbeats are skipped when absent). */
  ping?(): void;
  on(event: 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'pong', listener: () => void): unknown;
  removeAllListeners(): unknown;
}

/** Options the client passes when constructing a socket. */
export interface WebSocketClientOptions {
  headers: Record<string, string>;
  /** Compression costs CPU on every audio frame for little gain on base64 audio: off. */
  perMessageDeflate: false;
  handshakeTimeout?: number;
  /**
   * Every server frame is JSON that goes through `JSON.parse`, which copes with any text: `ws`'s UTF-8
   * check of each frame is a second pass over every audio delta for nothing.
   */
  skipUTF8Validation?: boolean;
  /**
   * Fills each frame's masking key. Over TLS (`wss:`) the key protects nothing (no intermediary sees the
   * bytes it defends against), so it is all zeros and `ws` skips masking every byte of every append.
   */
  generateMask?: (mask: Uint8Array) => void;
}

/** A zero masking key, for `wss:` only (see {@link WebSocketClientOptions.generateMask}). */
export function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}

/** A WebSocket class (`ws`'s by default). */
export type WebSocketConstructor = new (url: string, options: WebSocketClientOptions) => WebSocketLike;

/** The default WebSocket class: `ws`. */
export const DefaultWebSocket: WebSocketConstructor = WebSocket;

/** Converts a frame to text. */
export function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
