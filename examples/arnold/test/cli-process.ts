// arnold-client as a child process (bin/arnold-client.mjs) with its output recorded and awaitable.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/arnold-client.mjs', import.meta.url));
const children = new Set<ChildProcessWithoutNullStreams>();

/** Kills every client still running (afterAll). */
export function killClients(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** A running client. */
export interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  waitFor: (stream: 'stdout' | 'stderr', pattern: RegExp) => Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `arnold-client --url <url> ...args` (audio backend `null` unless `env` says otherwise). */
export function runClient(url: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [bin, '--url', url, ...args], {
    env: { ...process.env, VOXWIRE_AUDIO_BACKEND: 'null', ...env },
  });
  children.add(child);
  const text = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    text.stdout += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => {
    text.stderr += d.toString();
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      for (const w of waiters) w();
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor: (stream, pattern) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(
              `no ${pattern} in ${stream}; stdout: ${text.stdout}; stderr: ${text.stderr.slice(-500)}`,
            ),
          );
        }, 60000);
        const check = () => {
          if (pattern.test(text[stream])) {
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(`client exited before ${pattern}; stdout: ${text.stdout}; stderr: ${text.stderr}`),
            );
          } else return;
          waiters.splice(waiters.indexOf(check), 1);
        };
        waiters.push(check);
        check();
      }),
  };
}
