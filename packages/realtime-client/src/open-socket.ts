import { RealtimeClientError } from './errors.js';
import type { ServerEventOf } from './protocol.js';
import {
  frameText,
  type WebSocketClientOptions,
  type WebSocketConstructor,
  type WebSocketLike,
  zeroMask,
} from './socket.js';

/**
 * Opens a socket to a Realtime server and resolves once `session.created` arrives, with that event.
 * Rejects with `CONNECTION` when the upgrade fails, the socket closes first, the server answers with an
 * `error`, or nothing arrives within `timeoutMs`; the socket is then terminated.
 */
export function openSocket(
  WS: WebSocketConstructor,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ ws: WebSocketLike; created: ServerEventOf<'session.created'> }> {
  return new Promise((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      const options: WebSocketClientOptions = {
        headers,
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        skipUTF8Validation: true,
      };
      // Plain ws:// keeps random masks: there, they are what the RFC relies on against proxy cache poisoning.
      if (url.startsWith('wss:')) options.generateMask = zeroMask;
      ws = new WS(url, options);
    } catch (err) {
      reject(
        new RealtimeClientError('CONNECTION', `cannot open ${url}: ${(err as Error).message}`, {
          cause: err,
        }),
      );
      return;
    }
    let settled = false;
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      try {
        ws.terminate ? ws.terminate() : ws.close();
      } catch {
        // already closed
      }
      reject(new RealtimeClientError('CONNECTION', message, { cause }));
    };
    const timer = setTimeout(() => fail(`no session.created from ${url} within ${timeoutMs} ms`), timeoutMs);
    ws.on('error', (err) => fail(`connection to ${url} failed: ${err.message}`, err));
    ws.on('close', (code, reason) =>
      fail(`connection to ${url} closed before session.created (${code} ${reason.toString()})`),
    );
    ws.on('message', (data) => {
      if (settled) return;
      let type: unknown;
      let parsed: unknown;
      try {
        parsed = JSON.parse(frameText(data));
        type = (parsed as { type?: unknown }).type;
      } catch {
        // handled below
      }
      if (type === 'session.created') {
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners();
        resolve({ ws, created: parsed as ServerEventOf<'session.created'> });
      } else if (type === 'error') {
        const e = (parsed as { error?: { message?: string } }).error;
        fail(`server refused the session: ${e?.message ?? 'unknown error'}`);
      }
      // Anything else before session.created is ignored.
    });
  });
}

/** How long `close()` waits for the server's half of the closing handshake before cutting the socket. */
export const CLOSE_GRACE_MS = 2000;

/** Resolves when `ws` has closed, cutting it off after {@link CLOSE_GRACE_MS}. */
export function socketClosed(ws: WebSocketLike): Promise<void> {
  if (ws.readyState === 3) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate?.();
      resolve();
    }, CLOSE_GRACE_MS); // not unref'd: whoever awaits close() must see it resolve
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
