/**
 * What every voxwire object that holds a resource (a socket, a server, a device, a child process, a
 * timer) implements: an idempotent async `close()` that resolves once everything is released, and
 * `Symbol.asyncDispose` so that `await using x = …` closes it at the end of a scope.
 */
export interface AsyncCloseable extends AsyncDisposable {
  /** Releases everything. Safe to call more than once; later calls resolve when the first finishes. */
  close(): Promise<void>;
}

/**
 * What every voxwire server is: started by `await createXServer(options)` (listening when the promise
 * resolves; rejecting with the listen error otherwise), reachable at `url`, stopped by `close()`.
 */
export interface StartedServer extends AsyncCloseable {
  /** The base URL clients connect to, with the real port when `port: 0` was asked. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
}

/** The listen options every voxwire server takes. */
export interface ListenOptions {
  /** Port to listen on; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to bind; `127.0.0.1` by default, so nothing is exposed until asked. */
  host?: string;
}

/**
 * Makes `close()` idempotent: the first call runs `release`, every call returns that same promise.
 * Use it as `close = once(() => this.release())`.
 */
export function closeOnce(release: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= release();
    return closing;
  };
}
