// The local realtime server in its own process (its CLI), so a long test measures OpenClaw's memory only.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../node_modules/@voxwire/realtime-server/dist/cli.js',
);

export async function spawnModelServer(): Promise<{
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--pacing', 'fast', '--transcriber', 'none'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`model server did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    child.once('exit', (code) => reject(new Error(`model server exited (${code}): ${out}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
