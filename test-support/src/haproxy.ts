// A real haproxy in front of call-server instances: health-checked, round robin, a refused or draining
// instance's request retried on another. docs/DEPLOYMENT.md shows this configuration.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireBinary } from './redis-server.js';
import { waitUntil } from './wait.js';

/** Options of {@link haproxyConfig}. */
export interface HaproxyConfigOptions {
  /** Where the balancer listens. */
  port: number;
  /** Backends: name → loopback port. */
  backends: Record<string, number>;
  /** The health-check path (200 = take calls, anything else = out of rotation). Default `/healthz`. */
  healthPath?: string;
}

/**
 * The haproxy configuration the tests run: HTTP and WebSocket on one frontend, round robin over
 * health-checked instances (checked every 100 ms; one failure takes an instance out), and a request that
 * meets a refused connection or a 503 from a draining instance retried on another (`retry-on`,
 * `option redispatch`). `timeout tunnel` keeps long calls (WebSockets) open.
 */
export function haproxyConfig(o: HaproxyConfigOptions): string {
  const servers = Object.entries(o.backends)
    .map(([name, p]) => `  server ${name} 127.0.0.1:${p} check`)
    .join('\n');
  return `global
  maxconn 1024
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout tunnel 1h
  retries 3
  retry-on conn-failure empty-response 503
  option redispatch
frontend fleet
  bind 127.0.0.1:${o.port}
  default_backend instances
backend instances
  balance roundrobin
  option httpchk GET ${o.healthPath ?? '/healthz'}
  http-check expect status 200
  default-server inter 100ms fall 1 rise 1
${servers}
`;
}

/** A haproxy process started by a test. */
export class Haproxy {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly exited: { done: boolean },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts haproxy balancing over `backends` (name → port) and resolves once it routes a health check to an
   * instance; throws a clear error when haproxy is not installed.
   */
  static async start(backends: Record<string, number>, healthPath = '/healthz'): Promise<Haproxy> {
    requireBinary('haproxy', ['-v']);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'voxwire-haproxy-'));
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, haproxyConfig({ port, backends, healthPath }));
    const child = spawn('haproxy', ['-f', file, '-db'], { stdio: 'ignore' });
    const exited = { done: false };
    child.once('exit', () => {
      exited.done = true;
    });
    const h = new Haproxy(port, child, dir, exited);
    await waitUntil(async () => {
      if (exited.done) throw new Error('haproxy exited at start');
      return fetch(`${h.url}${healthPath}`).then(
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
