// A real haproxy in front of fleet instances: health-checked on /healthz, round robin, retries on refusal.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@voxwire/test-support';
import { freePort } from './redis-server.js';

export function ensureHaproxy(): void {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    execFileSync('apt-get', ['install', '-y', '-qq', 'haproxy'], { stdio: 'inherit' });
  }
}

export class Haproxy {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private exited: { done: boolean },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts haproxy balancing over `backends` (name → port); resolves once it accepts connections. */
  static async start(backends: Record<string, number>): Promise<Haproxy> {
    ensureHaproxy();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'fleet-haproxy-'));
    const servers = Object.entries(backends)
      .map(([name, p]) => `  server ${name} 127.0.0.1:${p} check`)
      .join('\n');
    const config = `global
  maxconn 256
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  retries 3
  option redispatch
frontend fleet
  bind 127.0.0.1:${port}
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 100ms fall 1 rise 1
${servers}
`;
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, config);
    const child = spawn('haproxy', ['-f', file, '-db'], { stdio: 'ignore' });
    const exited = { done: false };
    child.once('exit', () => {
      exited.done = true;
    });
    const h = new Haproxy(port, child, dir, exited);
    await waitUntil(async () => {
      if (exited.done) throw new Error('haproxy exited at start');
      return fetch(`${h.url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
    }, 'haproxy to route');
    return h;
  }

  async close(): Promise<void> {
    if (!this.exited.done) {
      this.child.kill('SIGKILL');
      await waitUntil(() => this.exited.done, 'haproxy to exit');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
