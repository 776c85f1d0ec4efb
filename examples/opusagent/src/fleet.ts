// OpusAgent as one instance of a fleet (@voxwire/fleet on Redis): every bridged call is registered and
// controllable from any instance, /metrics serves Prometheus text, /health and /healthz turn 503 while
// draining, and SIGTERM drains (calls get DRAIN_TIMEOUT_MS to end, then hear a goodbye and are hung up).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { type BridgeFleetCall, bridgeFleetCall, type CallBridge } from '@voxwire/bridge';
import { createFleet, type Fleet, fleetRequestHandler } from '@voxwire/fleet';
import type { OpusAgent, OpusAgentHooks } from './agent.js';
import { OpusAgentConfigError } from './config.js';

/** Options of {@link startAgentFleet}; {@link agentFleetOptionsFromEnv} reads them from the environment. */
export interface AgentFleetOptions {
  /** `REDIS_URL`: the fleet's Redis. */
  redisUrl: string;
  /** `FLEET_TOKEN`: bearer token of the control API (`/calls`, `/drain`); without it the API refuses everyone. */
  token?: string;
  /** `INSTANCE_ID`: this instance's name in the registry. Default `<hostname>-<pid>`. */
  instanceId?: string;
  /** `DRAIN_TIMEOUT_MS`: how long live calls may go on after SIGTERM before they are hung up. Default 30 000. */
  drainTimeoutMs?: number;
  /** `FLEET_TTL_MS` / `FLEET_HEARTBEAT_MS`: registry entry lifetime and refresh. Defaults 10 000 / 3 000. */
  ttlMs?: number;
  heartbeatMs?: number;
  /** The agent's name in the registry. Default `opusagent`. */
  agent?: string;
  log?: (line: string) => void;
}

/** One OpusAgent's membership of the fleet. */
export interface AgentFleet {
  readonly fleet: Fleet;
  /** Pass to `startOpusAgent({ hooks })`. */
  readonly hooks: OpusAgentHooks;
  /** On SIGTERM/SIGINT: drain, close the agent and the fleet, exit 0. */
  drainOnSignals(agent: OpusAgent): void;
  close(): Promise<void>;
}

/**
 * Reads the fleet's settings from the environment; `undefined` without `REDIS_URL` (a single process, no fleet).
 * @throws OpusAgentConfigError `INVALID_CONFIG` for a duration that is not a non-negative number, naming it
 */
export function agentFleetOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): AgentFleetOptions | undefined {
  if (!env.REDIS_URL) return undefined;
  const num = (name: string) => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
      throw new OpusAgentConfigError('INVALID_CONFIG', `${name} must be a non-negative number, got ${v}`);
    return n;
  };
  return {
    redisUrl: env.REDIS_URL,
    token: env.FLEET_TOKEN || undefined,
    instanceId: env.INSTANCE_ID || undefined,
    drainTimeoutMs: num('DRAIN_TIMEOUT_MS'),
    ttlMs: num('FLEET_TTL_MS'),
    heartbeatMs: num('FLEET_HEARTBEAT_MS'),
  };
}

/** Frame counters go to Prometheus in batches at this period, not once per 20 ms frame. */
const FLUSH_MS = 1_000;

/** Joins the fleet (connects to Redis; rejects `UNAVAILABLE` when it cannot) and returns the agent's hooks. */
export async function startAgentFleet(o: AgentFleetOptions): Promise<AgentFleet> {
  const log = o.log ?? ((line: string) => console.log(line));
  const instanceId = o.instanceId ?? `${hostname()}-${process.pid}`;
  const fleet = await createFleet({
    redis: o.redisUrl,
    instanceId,
    ttlMs: o.ttlMs,
    heartbeatMs: o.heartbeatMs,
    metrics: { defaultLabels: { instance: instanceId } },
  });
  fleet.on('error', (err) => log(`fleet: ${err.code}: ${err.message}`));
  fleet.on('recovered', () => log('fleet: registry written again after a Redis outage'));
  // Without FLEET_TOKEN nobody can use the control API: a random token nobody knows.
  const api = fleetRequestHandler({ fleet, token: o.token ?? randomBytes(24).toString('hex') });
  const live = new Set<BridgeFleetCall>();
  const flusher = setInterval(() => {
    for (const call of live) call.flushCounts();
  }, FLUSH_MS);
  flusher.unref();

  const health = (res: ServerResponse) => {
    const draining = fleet.draining;
    res.writeHead(draining ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: draining ? 'draining' : 'ok', calls: live.size, instanceId }));
  };

  const hooks: OpusAgentHooks = {
    http(req: IncomingMessage, res: ServerResponse) {
      if ((req.url ?? '').split('?', 1)[0] === '/health') {
        health(res);
        return true;
      }
      return api(req, res);
    },
    acceptCall: () => !fleet.draining,
    bridged(bridge: CallBridge) {
      const call = bridgeFleetCall(bridge, { agent: o.agent ?? 'opusagent', metrics: fleet.metrics });
      try {
        // Not `fleet.register`, which refuses calls while draining: this call's socket was accepted before the
        // drain began (new ones are refused at the upgrade), so it is kept and drained like the others.
        fleet.registry.register(call);
      } catch (err) {
        // A duplicate call id, or the fleet is closed: not taken.
        void bridge.close(`refused: ${(err as Error).message}`);
        return;
      }
      live.add(call);
      void bridge.done.then(({ reason }) => {
        call.flushCounts();
        live.delete(call);
        fleet.unregister(call.id, endReasonLabel(reason));
      });
    },
  };

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      clearInterval(flusher);
      await fleet.close();
    })();
    return closed;
  };

  return {
    fleet,
    hooks,
    drainOnSignals(agent: OpusAgent) {
      fleet.drainOnSignals({
        deadlineMs: o.drainTimeoutMs ?? 30_000,
        // A hang-up says goodbye first: give it the time to be played.
        hangupTimeoutMs: 10_000,
        onDrained: (result) => {
          log(`drained: ${result.endedByThemselves} calls ended by themselves, ${result.hungUp} hung up`);
          void agent.close().finally(() => process.exit(0));
        },
      });
    },
    close,
  };
}

/**
 * A bridge's end reason as a Prometheus label: a small fixed set (free text would make a series per call).
 * `hangup: <reason>` is a hang-up asked through the fleet (`drain`, a supervisor's reason).
 */
export function endReasonLabel(reason: string): string {
  if (reason.startsWith('hangup: ')) {
    const r = reason.slice(8);
    return /^[a-z][a-z0-9_-]{0,31}$/i.test(r) ? r : 'hangup';
  }
  if (reason === 'call ended: caller hung up') return 'caller_hangup';
  if (reason.startsWith('call ended: ')) return 'stream_closed';
  if (reason.startsWith('model')) return 'model_failed';
  if (reason.startsWith('refused')) return 'refused';
  if (reason === 'agent shutting down') return 'shutdown';
  return 'agent_hangup';
}
