import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** Child processes of this process whose command name is `name` (e.g. `espeak-ng`), from `ps`. */
export function childProcessCount(name: string, parent = process.pid): number {
  try {
    const out = execFileSync('ps', ['--ppid', String(parent), '-o', 'comm='], { encoding: 'utf8' });
    return out.split('\n').filter((line) => line.trim() === name).length;
  } catch {
    return 0; // ps exits 1 when there are no children at all
  }
}

/** A server started as its own Node process (for SIGTERM tests), with everything it printed. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Runs a TypeScript entry point with `node --import tsx` in `cwd` (which must resolve tsx). */
export function spawnTsx(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
