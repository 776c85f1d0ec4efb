// A real redis-server for the tests: a free loopback port, no persistence, stopped and started by the test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { waitUntil } from './wait.js';

/**
 * Fails with a clear message when a system binary the test needs is missing. Tests never install anything:
 * CI installs the packages listed in `.ci/apt-packages.txt`.
 */
export function requireBinary(name: string, versionArgs: string[], debianPackage = name): void {
  try {
    execFileSync(name, versionArgs, { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${name} is not installed: this test needs the Debian package ${debianPackage} ` +
        `(listed in .ci/apt-packages.txt; apt-get install ${debianPackage})`,
    );
  }
}

/** A loopback TCP port free at the time of the call. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    let text = '';
    s.once('error', () => resolve(false));
    s.on('data', (d) => {
      text += d.toString();
      if (text.includes('\r\n')) {
        s.destroy();
        resolve(text.startsWith('+PONG'));
      }
    });
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
  });
}

/** One redis-server process that can be stopped (SIGKILL) and started again on the same port. */
export class RedisProcess {
  private child: ChildProcess | undefined;
  private exited = true;

  private constructor(readonly port: number) {}

  /** Starts redis-server on a free port; throws a clear error when it is not installed. */
  static async start(): Promise<RedisProcess> {
    requireBinary('redis-server', ['--version']);
    const r = new RedisProcess(await freePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and resolves once it answers PING. */
  async up(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    this.exited = false;
    child.once('exit', () => {
      if (this.child === child) this.exited = true;
    });
    await waitUntil(() => ping(this.port), `redis-server to answer on ${this.port}`);
  }

  /** Kills the server (SIGKILL: an outage, not a shutdown) and resolves once it has exited. */
  async down(): Promise<void> {
    if (!this.child || this.exited) return;
    this.child.kill('SIGKILL');
    await waitUntil(() => this.exited, 'redis-server to exit');
  }
}
