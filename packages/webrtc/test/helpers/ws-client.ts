import { WebSocket } from 'ws';
import type { SignalingClientMessage, SignalingServerMessage } from '../../src/index.js';

/** A JSON signaling client over `ws` that queues what the server sends, for awaiting in order. */
export interface TestClient {
  ws: WebSocket;
  send(msg: SignalingClientMessage | Record<string, unknown> | string): void;
  /** Resolves with the next message of `type` (earlier ones of other types stay queued). */
  next<T extends SignalingServerMessage['type']>(
    type: T,
    ms?: number,
  ): Promise<Extract<SignalingServerMessage, { type: T }>>;
  close(): Promise<void>;
}

export async function openClient(url: string, headers?: Record<string, string>): Promise<TestClient> {
  const ws = new WebSocket(url, { headers });
  const queue: SignalingServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    queue.push(JSON.parse(data.toString()) as SignalingServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    send(msg) {
      ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
    },
    async next(type, ms = 10000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = queue.findIndex((m) => m.type === type);
        if (i >= 0) return queue.splice(i, 1)[0] as never;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no "${type}" message within ${ms} ms (queued: ${queue.map((m) => m.type)})`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
}
