// A WebSocket client (the `ws` package) that keeps everything a server sends, with arrival times, and waits
// on it: the client side of the examples' session tests and of their latency benchmarks.
import WebSocket from 'ws';

/** Options of {@link RecordingWsClient.open}. */
export interface RecordingWsClientOptions {
  /** Request headers (`authorization`, …). */
  headers?: Record<string, string>;
}

/**
 * Records the server's text messages (parsed as JSON) and binary frames, each stamped with
 * `performance.now()` on arrival, and resolves waits on them as soon as they hold (checked on every
 * message, not polled).
 */
export class RecordingWsClient<M = Record<string, unknown>> {
  /** Text messages, parsed as JSON, in arrival order. */
  readonly messages: M[] = [];
  /** `performance.now()` at which each of {@link messages} arrived (same index). */
  readonly messageTimes: number[] = [];
  /** `performance.now()` at which each binary frame arrived. */
  readonly binaryTimes: number[] = [];
  /** Bytes of binary frames received. */
  binaryBytes = 0;
  private waiters: Array<() => void> = [];

  protected constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      const at = performance.now();
      if (isBinary) {
        this.binaryBytes += buf.length;
        this.binaryTimes.push(at);
      } else {
        this.messages.push(JSON.parse(buf.toString('utf8')) as M);
        this.messageTimes.push(at);
      }
      this.wake();
    });
    ws.on('close', () => this.wake());
  }

  /** Connects to `url`; resolves once the socket is open, rejects with the connection error. */
  static async connect<M = Record<string, unknown>>(
    url: string,
    options: RecordingWsClientOptions = {},
  ): Promise<RecordingWsClient<M>> {
    const client = new RecordingWsClient<M>(new WebSocket(url, { headers: options.headers }));
    await client.opened();
    return client;
  }

  /** Resolves once the socket is open (for subclasses that construct their own socket). */
  protected opened(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /**
   * Resolves with the first truthy value of `check()`, evaluated now and after every message; rejects
   * naming `what` if the socket closes first or after `timeoutMs` (a bound on a hang, not a measurement).
   */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first);
    if (this.ws.readyState === WebSocket.CLOSED)
      return Promise.reject(new Error(`socket closed before ${what}`));
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map(describe))}`),
        );
      }, timeoutMs);
      const waiter = () => {
        const v = check();
        if (v) {
          done();
          resolve(v);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Index of the first message at or after `from` that matches, once there is one. */
  indexOf(pred: (m: M) => boolean, from = 0, timeoutMs = 60_000): Promise<number> {
    return this.until(
      () => {
        for (let i = from; i < this.messages.length; i++) if (pred(this.messages[i] as M)) return i + 1;
        return undefined;
      },
      'a matching message',
      timeoutMs,
    ).then((i) => i - 1);
  }

  /** Sends `msg` as JSON (a string as is). */
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Closes the socket; resolves when it has closed. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** A message's `type` when it has one, for error messages. */
function describe(m: unknown): unknown {
  return typeof m === 'object' && m !== null && 'type' in m ? (m as { type: unknown }).type : m;
}
