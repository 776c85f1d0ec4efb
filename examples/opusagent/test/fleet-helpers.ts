// The real parts of the fleet test: OpusAgent instances and their model as processes, Twilio callers
// through the balancer, and the fleet's HTTP API.
import { fileURLToPath } from 'node:url';
import { type ServerProcess, spawnTsx, waitUntil } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';

export const FLEET_TOKEN = 'fleet-test-token-0123';
const here = fileURLToPath(new URL('..', import.meta.url));

/** Starts `script` in the example's directory and resolves once its output matches `ready`. */
async function spawnReady(script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ServerProcess> {
  const p = spawnTsx(script, { cwd: here, env: { ...process.env, ...env } });
  await waitUntil(() => ready.test(p.output()) || p.child.exitCode !== null, `${script} to start`, 60_000);
  if (!ready.test(p.output())) throw new Error(`${script} did not start:\n${p.output()}`);
  return p;
}

/** Our realtime server as the model, in its own process; resolves with its ws:// URL. */
export async function startModel(): Promise<{ process: ServerProcess; url: string }> {
  const p = await spawnReady('test/fleet-model.ts', {}, /MODEL (ws:\S+)/);
  return { process: p, url: /MODEL (ws:\S+)/.exec(p.output())?.[1] ?? '' };
}

/** What an instance needs to join the fleet. */
export interface InstanceEnv {
  redisUrl: string;
  modelUrl: string;
  drainTimeoutMs: number;
}

/** One OpusAgent process (`src/main.ts`) in the fleet; `port` 0 picks one (read it from {@link instancePort}). */
export function startInstance(id: string, port: number, e: InstanceEnv): Promise<ServerProcess> {
  return spawnReady(
    'src/main.ts',
    {
      PORT: String(port),
      REDIS_URL: e.redisUrl,
      FLEET_TOKEN,
      INSTANCE_ID: id,
      DRAIN_TIMEOUT_MS: String(e.drainTimeoutMs),
      FLEET_TTL_MS: '1500',
      FLEET_HEARTBEAT_MS: '300',
      MODEL_URL: e.modelUrl,
      VAIC_TOKEN: 'vaic-token',
    },
    /Fleet instance/,
  );
}

export function instancePort(p: ServerProcess): number {
  const m = /OpusAgent on http:\/\/127\.0\.0\.1:(\d+)/.exec(p.output());
  if (!m) throw new Error(`no port in:\n${p.output()}`);
  return Number(m[1]);
}

export function kill(p: ServerProcess | undefined): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** A Twilio caller connected through `balancerPort`, with its socket's close code once closed. */
export interface Caller {
  readonly sim: TwilioSimulator;
  readonly callSid: string;
  /** Resolves with the close code when the socket closes, from either side. */
  readonly closed: Promise<number>;
  /** Whether we hung up (sent `stop`) before the socket closed. */
  hungUpByCaller: boolean;
  isClosed: boolean;
}

/** Places a call through the balancer (real time, idle line) and resolves once the stream is open. */
export async function placeCall(balancerPort: number, callSid: string): Promise<Caller> {
  const sim = new TwilioSimulator({
    url: `ws://127.0.0.1:${balancerPort}/twilio/media-stream`,
    callSid,
    customParameters: { caller: `+1555${callSid.slice(-7).padStart(7, '0')}` },
  });
  const caller: Caller = {
    sim,
    callSid,
    hungUpByCaller: false,
    isClosed: false,
    closed: new Promise<number>((resolve) =>
      sim.once('close', (code) => {
        caller.isClosed = true;
        resolve(code);
      }),
    ),
  };
  await sim.connect();
  return caller;
}

/** The caller hangs up (Twilio's `stop`). */
export async function hangUp(c: Caller): Promise<void> {
  if (c.isClosed) return;
  c.hungUpByCaller = true;
  await c.sim.stop();
}

/** A call in the fleet registry. */
export interface ListedCall {
  id: string;
  instanceId: string;
  state: string;
  caller?: string;
  agent?: string;
  platform: string;
}

/** The fleet API of the instance on `port` (or the balancer): JSON in, status and JSON out. */
export async function api(
  port: number,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; by: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${FLEET_TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return {
    status: r.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
    by: r.headers.get('x-voxwire-instance') ?? '',
  };
}

/** Every call of the fleet, as the instance on `port` lists it (empty while Redis is down). */
export async function listCalls(port: number): Promise<ListedCall[]> {
  const r = await api(port, '/calls');
  return r.status === 200 ? (r.json.calls as ListedCall[]) : [];
}

/**
 * The sum of the Prometheus samples named `name` in `/metrics` of the instance on `port`, only those with
 * the label `label` (e.g. `direction="in"`) when given. 0 when there are none.
 */
export async function metric(port: number, name: string, label?: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !' {'.includes(line[name.length] ?? 'x')) continue;
    if (label !== undefined && !line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
