import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type AsyncCloseable, closeOnce, emitError } from '@voxwire/core';
import { Redis, type RedisOptions } from 'ioredis';
import type { FleetAction, FleetActionResult, FleetCall, FleetCallInfo } from './call.js';
import { FleetControl } from './control.js';
import { FleetError } from './errors.js';
import { fleetKeys } from './keys.js';
import { FleetMetrics, type FleetMetricsOptions } from './metrics.js';
import { CallRegistry, type CallRegistryStatus } from './registry.js';

/** Options of {@link createFleet}. */
export interface FleetOptions {
  /**
   * Redis to share the fleet through: a `redis://` URL or ioredis options. Leave it out for a single
   * process: the registry and control then work on this instance's calls only, with no Redis at all.
   */
  redis?: string | RedisOptions;
  /** This instance's name in the registry; unique per process. Default: a random UUID. */
  instanceId?: string;
  /** Prefix of every Redis key and channel. Default `voxwire:fleet:`. */
  keyPrefix?: string;
  /** Lifetime of a registry entry. Default 10 000 ms. */
  ttlMs?: number;
  /** Heartbeat refreshing this instance's entries. Default 3 000 ms. */
  heartbeatMs?: number;
  /** How long a control request waits for the owning instance. Default 2 000 ms. */
  requestTimeoutMs?: number;
  /** How long a `say` or `hangup` request waits (answered once the words were played). Default 15 000 ms. */
  speechTimeoutMs?: number;
  /** Redis commands time out after this (a hung Redis reads as unavailable). Default 1 000 ms. */
  commandTimeoutMs?: number;
  /** How long {@link createFleet} waits for Redis before rejecting with `UNAVAILABLE`. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /** Registry writes waiting for Redis before the oldest are dropped. Default 10 000. */
  maxPendingWrites?: number;
  /** Control requests waiting for answers before `QUEUE_FULL`. Default 1 000. */
  maxPendingRequests?: number;
  /** Longest `say`/`inject` text. Default 4 096 characters. */
  maxTextLength?: number;
  /** Metrics options (your own prom-client registry, default labels). */
  metrics?: FleetMetricsOptions;
}

/** Options of {@link Fleet.drain}. */
export interface DrainOptions {
  /** How long live calls may go on before they are hung up with reason `drain`. Default 30 000 ms. */
  deadlineMs?: number;
  /** How long one `hangup('drain')` may take before the call is dropped from the registry anyway. Default 5 000 ms. */
  hangupTimeoutMs?: number;
}

/** Options of {@link Fleet.drainOnSignals}. */
export interface DrainOnSignalsOptions extends DrainOptions {
  /** The signals that start a drain. Default `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
  /**
   * Runs after the drain and `close()`, with the drain's result. Default: `process.exit(0)`, what a
   * container or systemd expects after SIGTERM.
   */
  onDrained?: (result: DrainResult) => void;
}

/** What {@link Fleet.drain} did. */
export interface DrainResult {
  /** Calls that ended by themselves before the deadline. */
  endedByThemselves: number;
  /** Calls hung up with reason `drain` at the deadline. */
  hungUp: number;
}

/** Events of {@link Fleet}. */
export interface FleetEvents {
  /** A Redis outage began, a malformed control message came, an answer could not be sent. */
  error: [FleetError];
  /** The registry wrote every live call again after a Redis outage. */
  recovered: [];
  /** Draining began: stop accepting calls. */
  draining: [];
  /** A call of this instance ended (unregistered), with its reason. */
  callEnded: [FleetCall, string];
}

/** Everything {@link Fleet.status} reports. */
export interface FleetStatus extends CallRegistryStatus {
  instanceId: string;
  draining: boolean;
}

/**
 * One instance's membership of a fleet of call servers: its calls in the shared registry, control of any
 * call of the fleet, drain, and Prometheus metrics. Create it with {@link createFleet}; the call server
 * `register`s each call when it starts and `unregister`s it when it ends.
 */
export class Fleet extends EventEmitter<FleetEvents> implements AsyncCloseable {
  readonly instanceId: string;
  readonly registry: CallRegistry;
  readonly control: FleetControl;
  readonly metrics: FleetMetrics;
  private readonly redis: Redis | undefined;
  private readonly subscriber: Redis | undefined;
  private isDraining = false;
  private drainPromise: Promise<DrainResult> | undefined;
  private readonly signalCleanup: (() => void)[] = [];

  constructor(options: FleetOptions = {}) {
    super();
    this.instanceId = options.instanceId ?? randomUUID();
    const keys = fleetKeys(options.keyPrefix ?? 'voxwire:fleet:');
    if (options.redis !== undefined) {
      const base: RedisOptions = {
        // Audio never waits on Redis: no offline queue, no retries per command, a bounded command time.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: options.commandTimeoutMs ?? 1_000,
        retryStrategy: (times) => Math.min(50 * times, 1_000),
        lazyConnect: true,
      };
      const make = () =>
        typeof options.redis === 'string'
          ? new Redis(options.redis, base)
          : new Redis({ ...options.redis, ...base });
      this.redis = make();
      // The subscriber keeps its subscriptions across reconnects (ioredis resubscribes) and needs no timeout.
      this.subscriber = make();
      this.subscriber.options.commandTimeout = undefined;
      // ioredis reports connection errors as events; the registry reports outages, so these are just noted.
      this.redis.on('error', () => {});
      this.subscriber.on('error', () => {});
    }
    this.metrics = new FleetMetrics(options.metrics);
    this.registry = new CallRegistry({
      redis: this.redis,
      instanceId: this.instanceId,
      keys,
      ttlMs: options.ttlMs,
      heartbeatMs: options.heartbeatMs,
      maxPendingWrites: options.maxPendingWrites,
    });
    this.control = new FleetControl({
      registry: this.registry,
      keys,
      redis: this.redis,
      subscriber: this.subscriber,
      requestTimeoutMs: options.requestTimeoutMs,
      speechTimeoutMs: options.speechTimeoutMs,
      maxPendingRequests: options.maxPendingRequests,
      maxTextLength: options.maxTextLength,
      onHangup: (id, reason) => this.unregister(id, reason),
    });
    const forward = (err: FleetError) => {
      this.metrics.countError(err.code);
      emitError(this, err);
    };
    this.registry.on('error', forward);
    this.control.on('error', forward);
    this.registry.on('recovered', () => this.emit('recovered'));
    this.registry.on('registered', (call) => this.metrics.callStarted(call.platform));
    this.registry.on('unregistered', (call, reason) => {
      this.metrics.callEnded(reason);
      this.emit('callEnded', call, reason);
    });
  }

  /** Connects to Redis (when configured) and subscribes to this instance's channels. */
  async start(connectTimeoutMs = 5_000): Promise<void> {
    if (!this.redis || !this.subscriber) return;
    const connect = async () => {
      await Promise.all([this.redis?.connect(), this.subscriber?.connect()]);
      await this.control.start();
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FleetError('UNAVAILABLE', `Redis did not answer within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
    });
    try {
      await Promise.race([connect(), timeout]);
    } catch (err) {
      await this.close();
      throw err instanceof FleetError
        ? err
        : new FleetError('UNAVAILABLE', `cannot reach Redis: ${String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the instance is draining (its health check fails, {@link register} refuses new calls). */
  get draining(): boolean {
    return this.isDraining;
  }

  /**
   * Registers a call that started on this instance. Synchronous; Redis is written in the background.
   * @throws FleetError `INVALID_STATE` while draining or when the id is already registered here.
   */
  register(call: FleetCall): void {
    if (this.isDraining) throw new FleetError('INVALID_STATE', 'the instance is draining: no new calls');
    this.registry.register(call);
  }

  /** Unregisters a call that ended, with the reason (counted in `voxwire_calls_ended_total`). */
  unregister(callId: string, reason: string): void {
    this.registry.unregister(callId, reason);
  }

  /** Writes a call's entry now (after a state change) instead of at the next heartbeat. */
  update(callId: string): void {
    this.registry.update(callId);
  }

  /** Every live call of the fleet. @throws FleetError `UNAVAILABLE` without Redis connectivity. */
  list(): Promise<FleetCallInfo[]> {
    return this.registry.list();
  }

  /** One call of the fleet, or `undefined`. @throws FleetError `UNAVAILABLE` without Redis connectivity. */
  get(callId: string): Promise<FleetCallInfo | undefined> {
    return this.registry.get(callId);
  }

  /** Runs an action on a call wherever it lives; see {@link FleetControl.request}. */
  request<A extends FleetAction>(callId: string, action: A): Promise<FleetActionResult<A>> {
    return this.control.request(callId, action);
  }

  /** The instance and its Redis link in numbers. */
  status(): FleetStatus {
    return { instanceId: this.instanceId, draining: this.isDraining, ...this.registry.status() };
  }

  /**
   * Drains the instance: marks it draining (health 503, no new calls), waits for live calls to end up to
   * `deadlineMs`, then hangs up the rest with reason `drain`. Resolves when no call is left. Calling it
   * again returns the same drain.
   */
  drain(options: DrainOptions = {}): Promise<DrainResult> {
    this.drainPromise ??= this.runDrain(options.deadlineMs ?? 30_000, options.hangupTimeoutMs ?? 5_000);
    return this.drainPromise;
  }

  /**
   * Drains on SIGTERM (and SIGINT): health turns 503 so the balancer stops sending calls, live calls get
   * `deadlineMs` to end, the rest are hung up with reason `drain`, the fleet closes, then `onDrained` runs
   * (by default the process exits 0). The handlers are removed by {@link close}. Each handler runs once:
   * a second SIGTERM or Ctrl-C during the drain gets Node's default (the process dies at once).
   */
  drainOnSignals(options: DrainOnSignalsOptions = {}): void {
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    const onDrained = options.onDrained ?? (() => process.exit(0));
    const handler = () => {
      this.drain(options)
        .then(async (result) => {
          await this.close();
          onDrained(result);
        })
        .catch((err: unknown) =>
          emitError(this, new FleetError('INVALID_STATE', `drain failed: ${String(err)}`)),
        );
    };
    for (const s of signals) process.once(s, handler);
    this.signalCleanup.push(() => {
      for (const s of signals) process.off(s, handler);
    });
  }

  private async runDrain(deadlineMs: number, hangupTimeoutMs: number): Promise<DrainResult> {
    this.isDraining = true;
    this.emit('draining');
    const before = this.registry.size;
    await this.untilEmpty(deadlineMs);
    const rest = this.registry.localCalls();
    await Promise.all(
      rest.map(async (call) => {
        await this.bounded(call.hangup('drain'), hangupTimeoutMs);
        this.unregister(call.id, 'drain');
      }),
    );
    return { endedByThemselves: before - rest.length, hungUp: rest.length };
  }

  private untilEmpty(ms: number): Promise<void> {
    if (this.registry.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('callEnded', check);
        resolve();
      };
      const check = () => {
        if (this.registry.size === 0) done();
      };
      const timer = setTimeout(done, ms);
      this.on('callEnded', check);
    });
  }

  /** Awaits `p` for at most `ms`; a call whose hangup throws or hangs is dropped from the registry anyway. */
  private async bounded(p: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      p.catch((err) => this.metrics.countError(err instanceof FleetError ? err.code : 'HANGUP_FAILED')),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Leaves the fleet: rejects waiting requests, deletes this instance's registry entries (best effort) and
   * closes the Redis connections. Does not hang up calls: {@link drain} first for that.
   */
  readonly close: () => Promise<void> = closeOnce(async () => {
    for (const remove of this.signalCleanup) remove();
    await this.control.close();
    await this.registry.close();
    this.metrics.close();
    for (const r of [this.subscriber, this.redis]) {
      if (!r) continue;
      if (r.status === 'ready') await r.quit().catch(() => r.disconnect());
      else r.disconnect();
    }
  });

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Joins (or, without `redis`, starts a single-process) fleet: resolves once Redis is connected and this
 * instance's control channels are subscribed.
 * @throws FleetError `UNAVAILABLE` when Redis cannot be reached within `connectTimeoutMs`.
 */
export async function createFleet(options: FleetOptions = {}): Promise<Fleet> {
  const fleet = new Fleet(options);
  await fleet.start(options.connectTimeoutMs);
  return fleet;
}
