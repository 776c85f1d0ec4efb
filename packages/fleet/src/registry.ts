import { EventEmitter } from 'node:events';
import { emitError } from '@voxwire/core';
import type { Redis } from 'ioredis';
import { callInfo, type FleetCall, type FleetCallInfo, parseCallInfo } from './call.js';
import { FleetError, unavailable } from './errors.js';
import type { FleetKeys } from './keys.js';

/** Options of {@link CallRegistry}. */
export interface CallRegistryOptions {
  /** The command connection; without it the registry is local to this process (no Redis at all). */
  redis?: Redis;
  instanceId: string;
  keys: FleetKeys;
  /** Lifetime of an entry in Redis; a crashed instance's calls vanish after it. Default 10 000 ms. */
  ttlMs?: number;
  /** How often the owning instance rewrites its entries (refreshing the TTL). Default 3 000 ms. */
  heartbeatMs?: number;
  /** Writes waiting for Redis (while it is down) before the oldest are dropped. Default 10 000. */
  maxPendingWrites?: number;
  /** Calls {@link CallRegistry.list} returns at most. Default 10 000. */
  maxListCalls?: number;
}

/** How the registry's link to Redis is doing: counted, never thrown at the call path. */
export interface CallRegistryStatus {
  /** Whether the Redis connection is ready (always false without Redis). */
  connected: boolean;
  /** Live calls of this instance. */
  localCalls: number;
  /** Writes waiting for Redis. */
  pendingWrites: number;
  /** Writes that failed (Redis down or erroring). The next heartbeat rewrites every live call anyway. */
  writeFailures: number;
  /** Writes dropped because the pending queue was full (their entries are rewritten or expire by TTL). */
  droppedWrites: number;
}

/** Events of {@link CallRegistry}. */
export interface CallRegistryEvents {
  /** A Redis outage began (once per outage, not once per failed write). */
  error: [FleetError];
  /** A call of this instance was registered. */
  registered: [FleetCall];
  /** A call of this instance was unregistered, with the reason it ended. */
  unregistered: [FleetCall, string];
  /** Every live call was written to Redis after an outage. */
  recovered: [];
}

/**
 * The fleet-wide call registry. Each instance registers its live calls; their entries live in Redis with
 * a TTL the instance refreshes on a heartbeat, so a crashed instance's calls vanish within `ttlMs`. Any
 * instance can list and look up every call.
 *
 * Writes never block the caller: `register`/`unregister` are synchronous, Redis writes go out in the
 * background through a bounded queue, failures are counted in {@link status} and reported once per outage
 * as an `error` event, and when Redis comes back every live call is written again.
 */
export class CallRegistry extends EventEmitter<CallRegistryEvents> {
  readonly instanceId: string;
  private readonly redis: Redis | undefined;
  private readonly keys: FleetKeys;
  private readonly ttlMs: number;
  private readonly maxPending: number;
  private readonly maxList: number;
  private readonly local = new Map<string, FleetCall>();
  /** callId → true (write the entry) or false (delete it); insertion order is age. */
  private readonly pending = new Map<string, boolean>();
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private flushing = false;
  /** The pipeline being sent, settled either way (close waits for it). */
  private inflight: Promise<unknown> = Promise.resolve();
  private flushAgain = false;
  private flushAllAgain = false;
  private failing = false;
  private closed = false;
  private writeFailures = 0;
  private droppedWrites = 0;
  private readonly onReady = () => void this.flush(true);

  constructor(options: CallRegistryOptions) {
    super();
    this.instanceId = options.instanceId;
    this.redis = options.redis;
    this.keys = options.keys;
    this.ttlMs = positive(options.ttlMs ?? 10_000, 'ttlMs');
    const heartbeatMs = positive(options.heartbeatMs ?? 3_000, 'heartbeatMs');
    if (heartbeatMs >= this.ttlMs)
      throw new FleetError('INVALID_ARGUMENT', 'heartbeatMs must be shorter than ttlMs');
    this.maxPending = positive(options.maxPendingWrites ?? 10_000, 'maxPendingWrites');
    this.maxList = positive(options.maxListCalls ?? 10_000, 'maxListCalls');
    if (this.redis) {
      this.redis.on('ready', this.onReady);
      this.heartbeat = setInterval(() => void this.flush(true), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /**
   * Registers a live call of this instance. Synchronous: the Redis write goes out in the background.
   * @throws FleetError `INVALID_STATE` when a call with this id is already registered here, `CLOSED` after close.
   */
  register(call: FleetCall): void {
    if (this.closed) throw new FleetError('CLOSED', 'the registry is closed');
    if (this.local.has(call.id))
      throw new FleetError('INVALID_STATE', `call ${call.id} is already registered`);
    this.local.set(call.id, call);
    this.enqueue(call.id, true);
    this.emit('registered', call);
  }

  /** Writes a call's entry now (after a state change) instead of at the next heartbeat. */
  update(callId: string): void {
    if (this.local.has(callId)) this.enqueue(callId, true);
  }

  /** Unregisters a call that ended; a call not registered here is ignored. Returns the call when it was. */
  unregister(callId: string, reason: string): FleetCall | undefined {
    const call = this.local.get(callId);
    if (!call) return undefined;
    this.local.delete(callId);
    this.enqueue(callId, false);
    this.emit('unregistered', call, reason);
    return call;
  }

  /** A live call of this instance. */
  localCall(callId: string): FleetCall | undefined {
    return this.local.get(callId);
  }

  /** The live calls of this instance. */
  localCalls(): FleetCall[] {
    return [...this.local.values()];
  }

  /** Live calls of this instance. */
  get size(): number {
    return this.local.size;
  }

  /**
   * Every live call of the fleet (of this instance only without Redis).
   * @throws FleetError `UNAVAILABLE` when Redis is not reachable.
   */
  async list(): Promise<FleetCallInfo[]> {
    const redis = this.redis;
    if (!redis) return this.localCalls().map((c) => callInfo(this.instanceId, c));
    this.assertReady('listing calls');
    try {
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', this.keys.callPattern, 'COUNT', 1000);
        cursor = next;
        for (const k of batch) if (keys.size < this.maxList) keys.add(k);
      } while (cursor !== '0' && keys.size < this.maxList);
      if (keys.size === 0) return [];
      const values = await redis.mget([...keys]);
      const out: FleetCallInfo[] = [];
      for (const v of values) {
        const info = parseCallInfo(v);
        if (info) out.push(info);
      }
      return out.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    } catch (err) {
      throw unavailable('listing calls', err);
    }
  }

  /**
   * One call of the fleet, or `undefined` when it is not live anywhere.
   * @throws FleetError `UNAVAILABLE` when Redis is not reachable (and the call is not local).
   */
  async get(callId: string): Promise<FleetCallInfo | undefined> {
    const call = this.local.get(callId);
    if (call) return callInfo(this.instanceId, call);
    if (!this.redis) return undefined;
    this.assertReady('looking up a call');
    try {
      return parseCallInfo(await this.redis.get(this.keys.call(callId)));
    } catch (err) {
      throw unavailable('looking up a call', err);
    }
  }

  /** The link to Redis, in numbers. */
  status(): CallRegistryStatus {
    return {
      connected: this.redis?.status === 'ready',
      localCalls: this.local.size,
      pendingWrites: this.pending.size,
      writeFailures: this.writeFailures,
      droppedWrites: this.droppedWrites,
    };
  }

  /**
   * Stops the heartbeat and deletes this instance's entries from Redis (best effort: an entry that cannot
   * be deleted expires by TTL). Does not close the Redis connection, which the fleet owns.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.redis?.off('ready', this.onReady);
    const redis = this.redis;
    // Leaving: every call of ours goes, live or pending, after the pipeline in flight (it may rewrite one).
    const ids = [...new Set([...this.local.keys(), ...this.pending.keys()])];
    this.local.clear();
    this.pending.clear();
    if (redis?.status === 'ready' && ids.length > 0) {
      await this.inflight;
      await redis.del(...ids.map((id) => this.keys.call(id))).catch(() => {});
    }
  }

  private assertReady(what: string): void {
    if (this.redis?.status !== 'ready')
      throw new FleetError('UNAVAILABLE', `${what}: Redis is unavailable (${this.redis?.status})`);
  }

  private enqueue(callId: string, write: boolean): void {
    if (!this.redis || this.closed) return;
    this.pending.delete(callId); // re-inserted at the end: the newest intent wins
    this.pending.set(callId, write);
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.droppedWrites++;
    }
    void this.flush(false);
  }

  /** One pipeline at a time; `all` rewrites every live call (heartbeat, recovery). */
  private async flush(all: boolean): Promise<void> {
    const redis = this.redis;
    if (!redis || this.closed) return;
    if (redis.status !== 'ready') {
      // Nothing is sent while Redis is away: writes wait in the bounded queue, the outage is reported once.
      this.outage(new Error(`connection ${redis.status}`));
      return;
    }
    if (this.flushing) {
      this.flushAgain = true;
      this.flushAllAgain ||= all;
      return;
    }
    this.flushing = true;
    const batch = [...this.pending];
    this.pending.clear();
    const pipe = redis.pipeline();
    const written = new Set<string>();
    const writeEntry = (id: string) => {
      const call = this.local.get(id);
      if (!call || written.has(id)) return;
      written.add(id);
      pipe.set(this.keys.call(id), JSON.stringify(callInfo(this.instanceId, call)), 'PX', this.ttlMs);
    };
    for (const [id, write] of batch) {
      if (write) writeEntry(id);
      else if (!this.local.has(id)) pipe.del(this.keys.call(id));
    }
    if (all) for (const id of this.local.keys()) writeEntry(id);
    let failure: unknown;
    if (pipe.length > 0) {
      const sent = pipe.exec();
      this.inflight = sent.catch(() => {});
      try {
        const results = (await sent) ?? [];
        failure = results.find(([err]) => err)?.[0] ?? undefined;
      } catch (err) {
        failure = err;
      }
    }
    this.flushing = false;
    if (failure !== undefined && failure !== null) {
      this.writeFailures += batch.length || written.size || 1;
      // Deletes must not be lost to an outage; writes are redone by the heartbeat after recovery.
      for (const [id, write] of batch) if (!write && !this.pending.has(id)) this.enqueueQuiet(id);
      this.outage(failure);
    } else if (this.failing && all) {
      this.failing = false;
      this.emit('recovered');
    }
    if (this.flushAgain) {
      const again = this.flushAllAgain;
      this.flushAgain = this.flushAllAgain = false;
      void this.flush(again);
    }
  }

  private outage(cause: unknown): void {
    if (this.failing) return;
    this.failing = true;
    emitError(this, unavailable('writing the call registry', cause));
  }

  private enqueueQuiet(callId: string): void {
    if (this.pending.size >= this.maxPending) {
      this.droppedWrites++;
      return;
    }
    this.pending.set(callId, false);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new FleetError('INVALID_ARGUMENT', `${name} must be positive`);
  return n;
}
