import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether an executable of this name is on PATH, or at this path (checked without running it). */
export function commandExists(command: string): boolean {
  if (command.includes('/')) return isExecutable(command);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return true;
  }
  return false;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Output of a finished child process. */
export interface ProcessResult {
  stdout: Buffer;
  stderr: string;
}

/** Builds the caller's typed error for a process that was aborted or failed (`cause`: the spawn error). */
export type ProcessErrorFactory = (
  code: 'ABORTED' | 'PROCESS_FAILED',
  message: string,
  cause?: unknown,
) => Error;

/**
 * Runs a command with optional stdin bytes and collects stdout. Rejects with `fail`'s error on a non-zero
 * exit or a spawn error (e.g. ENOENT, as the `cause`) and on an abort; the child is killed on abort.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { input?: Uint8Array; signal?: AbortSignal; fail: ProcessErrorFactory },
): Promise<ProcessResult> {
  const { fail } = options;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(fail('ABORTED', `${command} aborted before start`));
      return;
    }
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4000) err += b.toString();
    });
    child.on('error', (e) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(fail('PROCESS_FAILED', `${command} could not start: ${e.message}`, e));
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) reject(fail('ABORTED', `${command} aborted`));
      else if (code !== 0)
        reject(fail('PROCESS_FAILED', `${command} exited with ${code ?? sig}: ${err.trim().slice(0, 500)}`));
      else resolve({ stdout: Buffer.concat(out), stderr: err });
    });
    // The child may exit before reading stdin (EPIPE): the exit code tells the real story.
    child.stdin.on('error', () => {});
    child.stdin.end(
      options.input
        ? Buffer.from(options.input.buffer, options.input.byteOffset, options.input.byteLength)
        : undefined,
    );
  });
}

/** Runs a command synchronously and reports whether it exited 0 (used once at startup for probing). */
export function probeCommand(command: string, args: readonly string[]): boolean {
  if (!commandExists(command)) return false;
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Options of {@link ConcurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** Tasks allowed to wait for a slot; one more is refused with `full()`. Default unbounded. */
  maxWaiting?: number;
  /** The error a refused task rejects with. */
  full: (waiting: number) => Error;
  /** The error a task aborted while waiting rejects with. */
  aborted: () => Error;
}

/**
 * Runs at most `limit` tasks at once; the rest wait in order, at most `maxWaiting` of them. Keeps
 * process-per-utterance engines from starting hundreds of children when many sessions finish a turn
 * together. A task whose signal aborts while it waits leaves the queue at once, so clients that left do not
 * hold slots.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly maxWaiting: number;

  constructor(
    private readonly limit: number,
    private readonly options: ConcurrencyLimitOptions,
  ) {
    this.maxWaiting = options.maxWaiting ?? Number.POSITIVE_INFINITY;
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw this.options.aborted();
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw this.options.full(this.waiting.length);
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(wake);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(this.options.aborted());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(wake);
      });
      // Woken: the finishing task handed its slot over (`running` was not decremented).
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
