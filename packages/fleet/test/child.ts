// Starts test/child-instance.ts as its own process and waits until it is in the fleet.
import { fileURLToPath } from 'node:url';
import { type ServerProcess, spawnTsx, waitUntil } from '@voxwire/test-support';

export interface ChildOptions {
  redisUrl: string;
  prefix: string;
  instanceId: string;
  calls: string[];
  /** Drain on SIGTERM (deadline 200 ms) and print DRAINED. */
  drainOnSigterm?: boolean;
  /** Drain deadline on SIGTERM. Default 200 ms. */
  drainMs?: number;
  /** Start the HTTP API with this token (its port is printed as `PORT n`, see {@link childPort}). */
  token?: string;
}

export async function startChild(o: ChildOptions): Promise<ServerProcess> {
  const child = spawnTsx('test/child-instance.ts', {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      FLEET_REDIS: o.redisUrl,
      FLEET_PREFIX: o.prefix,
      FLEET_INSTANCE: o.instanceId,
      FLEET_CALLS: o.calls.join(','),
      ...(o.drainOnSigterm ? { FLEET_DRAIN_ON_SIGTERM: '1' } : {}),
      ...(o.drainMs !== undefined ? { FLEET_DRAIN_MS: String(o.drainMs) } : {}),
      ...(o.token ? { FLEET_TOKEN: o.token } : {}),
    },
  });
  await waitUntil(
    () => child.output().includes('READY') || child.child.exitCode !== null,
    'the child instance to start',
    30_000,
  );
  if (!child.output().includes('READY')) throw new Error(`child instance failed:\n${child.output()}`);
  return child;
}

/** Kills a child that is still running (cleanup after a failed test). */
export function killChild(child: ServerProcess | undefined): void {
  if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
}

/** The HTTP API port a child started with `token` printed. */
export function childPort(child: ServerProcess): number {
  const m = /PORT (\d+)/.exec(child.output());
  if (!m) throw new Error(`no PORT line in:\n${child.output()}`);
  return Number(m[1]);
}
