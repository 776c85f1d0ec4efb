import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { emitError } from '@voxwire/core';
import type { Redis } from 'ioredis';
import { parseAction, runAction, sanitizeMetrics } from './action.js';
import type { FleetAction, FleetActionResult } from './call.js';
import { FleetError, isFleetErrorCode, unavailable } from './errors.js';
import type { FleetKeys } from './keys.js';
import type { CallRegistry } from './registry.js';

/** Options of {@link FleetControl}. */
export interface FleetControlOptions {
  registry: CallRegistry;
  keys: FleetKeys;
  /** The command connection (publishes requests and answers); none means local-only control. */
  redis?: Redis;
  /** A connection in subscriber mode, owned by the control from now on (it subscribes in {@link FleetControl.start}). */
  subscriber?: Redis;
  /** How long a request waits for the owning instance's answer. Default 2 000 ms. */
  requestTimeoutMs?: number;
  /**
   * How long a `say` or `hangup` request waits: the owner answers once the words were played (a hang-up
   * says goodbye first). Default 15 000 ms.
   */
  speechTimeoutMs?: number;
  /** Requests waiting for answers at once before `QUEUE_FULL`. Default 1 000. */
  maxPendingRequests?: number;
  /** The longest `say`/`inject` text. Default 4 096 characters. */
  maxTextLength?: number;
  /** Control messages larger than this are ignored. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Called after a control `hangup` ran on a local call, so the fleet can unregister it. */
  onHangup?: (callId: string, reason: string) => void;
}

/** Events of {@link FleetControl}. */
export interface FleetControlEvents {
  /** A malformed control message arrived, or an answer could not be sent. */
  error: [FleetError];
}

interface Pending {
  resolve: (value: FleetActionResult) => void;
  reject: (err: FleetError) => void;
  timer: NodeJS.Timeout;
}

/** A request on `control:<owner>`. */
interface RequestMessage {
  rid: string;
  from: string;
  callId: string;
  action: unknown;
}

/** An answer on `reply:<requester>`. */
type ReplyMessage =
  | { rid: string; ok: true; result?: Record<string, number> }
  | { rid: string; ok: false; code: string; message: string };

/**
 * Cross-instance call control. `request(callId, action)` runs the action on the call wherever it lives:
 * here directly, elsewhere by publishing to the owning instance's control channel and waiting for its
 * answer on this instance's reply channel.
 *
 * Failures are typed and fast: a call that is not live anywhere (or whose instance has no subscriber any
 * more, i.e. crashed) is `NOT_FOUND` at once; an owner that does not answer is `TIMEOUT` after
 * `requestTimeoutMs` (`speechTimeoutMs` for `say` and `hangup`, which answer once the words were played); Redis unreachable is `UNAVAILABLE` without waiting. A request waiting for its answer
 * when the connection drops (a Redis restart) fails `UNAVAILABLE` at once, and for a few seconds after
 * Redis returns, a call missing from the registry or an owner not yet resubscribed is `UNAVAILABLE` (retry),
 * not `NOT_FOUND`.
 */
export class FleetControl extends EventEmitter<FleetControlEvents> {
  private readonly registry: CallRegistry;
  private readonly keys: FleetKeys;
  private readonly redis: Redis | undefined;
  private readonly subscriber: Redis | undefined;
  private readonly timeoutMs: number;
  private readonly speechTimeoutMs: number;
  private readonly maxPending: number;
  private readonly maxTextLength: number;
  private readonly maxMessageBytes: number;
  private readonly onHangup: ((callId: string, reason: string) => void) | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  /** Whether the reply channel is subscribed now: answers can reach us. */
  private subscribed = false;
  /** When the subscriber came back after an outage (other instances may still be reconnecting). */
  private resubscribedAt = Number.NEGATIVE_INFINITY;

  constructor(options: FleetControlOptions) {
    super();
    this.registry = options.registry;
    this.keys = options.keys;
    this.redis = options.redis;
    this.subscriber = options.subscriber;
    this.timeoutMs = options.requestTimeoutMs ?? 2_000;
    this.speechTimeoutMs = options.speechTimeoutMs ?? 15_000;
    this.maxPending = options.maxPendingRequests ?? 1_000;
    this.maxTextLength = options.maxTextLength ?? 4096;
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
    this.onHangup = options.onHangup;
    if (!(this.timeoutMs > 0) || !(this.speechTimeoutMs > 0))
      throw new FleetError('INVALID_ARGUMENT', 'requestTimeoutMs and speechTimeoutMs must be positive');
  }

  /** Subscribes to this instance's control and reply channels; resolves once Redis confirmed both. */
  async start(): Promise<void> {
    const sub = this.subscriber;
    if (!sub) return;
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel, message));
    sub.on('close', this.onSubscriberLost);
    sub.on('ready', this.onSubscriberBack);
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    const id = this.registry.instanceId;
    try {
      await this.subscriber?.subscribe(this.keys.control(id), this.keys.reply(id));
      this.subscribed = true;
    } catch (err) {
      throw unavailable('subscribing to the control channels', err);
    }
  }

  /**
   * The subscriber connection dropped (Redis restarting or gone): answers on the way are lost, so every
   * waiting request fails now with `UNAVAILABLE` instead of running into its timeout.
   */
  private readonly onSubscriberLost = (): void => {
    if (!this.subscribed) return;
    this.subscribed = false;
    for (const rid of [...this.pending.keys()])
      this.settle(rid, undefined, unavailable('waiting for a control answer', 'the connection was lost'));
  };

  /** Back after an outage: ioredis resubscribes; confirming it ourselves tells us when answers can come again. */
  private readonly onSubscriberBack = (): void => {
    if (this.subscribed || this.closed) return;
    this.subscribe().then(
      () => {
        this.resubscribedAt = performance.now();
      },
      () => {}, // still down: the next 'ready' tries again
    );
  };

  /**
   * Runs `action` on call `callId`, wherever in the fleet it lives, and resolves with its result (the
   * call's metrics for `metrics`).
   * @throws FleetError `NOT_FOUND`, `TIMEOUT`, `UNAVAILABLE`, `ACTION_FAILED`, `INVALID_ARGUMENT`,
   *   `LIMIT_EXCEEDED`, `QUEUE_FULL`, `CLOSED`.
   */
  async request<A extends FleetAction>(callId: string, action: A): Promise<FleetActionResult<A>> {
    return (await this.requestAny(callId, action)) as FleetActionResult<A>;
  }

  private async requestAny(callId: string, input: unknown): Promise<FleetActionResult> {
    if (this.closed) throw new FleetError('CLOSED', 'the fleet is closed');
    if (typeof callId !== 'string' || callId.length === 0)
      throw new FleetError('INVALID_ARGUMENT', 'callId must be a non-empty string');
    const action = parseAction(input, this.maxTextLength);
    if (action instanceof FleetError) throw action;
    const local = this.registry.localCall(callId);
    if (local) return this.runLocal(callId, action);
    const redis = this.redis;
    if (!redis) throw notFound(callId);
    const info = await this.registry.get(callId); // UNAVAILABLE at once when Redis is down
    // Just after a Redis restart the registry is empty until every instance has written its calls again;
    // while our own subscriber is still reconnecting, that restart is not even over for us.
    if (!info && ((this.subscriber && !this.subscribed) || this.justReconnected()))
      throw new FleetError('UNAVAILABLE', `control: the registry is recovering from a Redis restart; retry`);
    if (!info || info.instanceId === this.registry.instanceId) throw notFound(callId);
    // The answer could not reach us: fail now rather than time out.
    if (!this.subscribed)
      throw new FleetError('UNAVAILABLE', 'control: Redis is unavailable (reply channel not subscribed)');
    if (this.pending.size >= this.maxPending)
      throw new FleetError('QUEUE_FULL', `${this.maxPending} control requests are already waiting`);
    const rid = randomUUID();
    const waitMs = action.type === 'say' || action.type === 'hangup' ? this.speechTimeoutMs : this.timeoutMs;
    const answer = new Promise<FleetActionResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(
          new FleetError(
            'TIMEOUT',
            `instance ${info.instanceId} did not answer ${action.type} for call ${callId} within ${waitMs} ms`,
          ),
        );
      }, waitMs);
      this.pending.set(rid, { resolve, reject, timer });
    });
    const message: RequestMessage = { rid, from: this.registry.instanceId, callId, action };
    let receivers: number;
    try {
      receivers = await redis.publish(this.keys.control(info.instanceId), JSON.stringify(message));
    } catch (err) {
      this.settle(rid, undefined, unavailable('sending a control request', err));
      return answer;
    }
    // Nobody subscribed: the owning instance is gone (its entry has not expired yet), so is the call —
    // unless Redis has just restarted and the owner is still resubscribing: that is an outage, not an end.
    if (receivers === 0) {
      const justBack = this.justReconnected();
      this.settle(
        rid,
        undefined,
        justBack
          ? new FleetError(
              'UNAVAILABLE',
              `control: instance ${info.instanceId} has not resubscribed since Redis came back; retry`,
            )
          : notFound(callId, `its instance ${info.instanceId} is gone`),
      );
    }
    return answer;
  }

  /** Whether Redis came back from an outage moments ago (other instances may still be reconnecting). */
  private justReconnected(): boolean {
    return performance.now() - this.resubscribedAt < RESUBSCRIBE_GRACE_MS;
  }

  /** Rejects every waiting request with `CLOSED` and unsubscribes. Does not close the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const rid of [...this.pending.keys()])
      this.settle(rid, undefined, new FleetError('CLOSED', 'the fleet closed before the answer came'));
    this.subscriber?.removeAllListeners('messageBuffer');
    this.subscriber?.off('close', this.onSubscriberLost);
    this.subscriber?.off('ready', this.onSubscriberBack);
  }

  private async runLocal(callId: string, action: FleetAction): Promise<FleetActionResult> {
    const call = this.registry.localCall(callId);
    if (!call) throw notFound(callId);
    const result = await runAction(call, action);
    if (action.type === 'hangup') this.onHangup?.(callId, action.reason ?? 'hangup');
    // The action may have changed the call's state (muted): the registry shows it now, not at the next heartbeat.
    else if (action.type !== 'metrics') this.registry.update(callId);
    return result;
  }

  private settle(rid: string, result: FleetActionResult, error?: FleetError): void {
    const p = this.pending.get(rid);
    if (!p) return; // late answer after a timeout: ignored
    this.pending.delete(rid);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(result);
  }

  private onMessage(channel: Buffer, message: Buffer): void {
    if (this.closed) return;
    const id = this.registry.instanceId;
    const ch = channel.toString();
    if (message.length > this.maxMessageBytes) {
      this.report(`a ${message.length}-byte control message on ${ch} exceeds ${this.maxMessageBytes} bytes`);
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(message.toString());
    } catch {
      this.report(`a control message on ${ch} is not JSON`);
      return;
    }
    if (typeof v !== 'object' || v === null) {
      this.report(`a control message on ${ch} is not an object`);
      return;
    }
    const o = v as Record<string, unknown>;
    if (ch === this.keys.reply(id)) this.onReply(o);
    else if (ch === this.keys.control(id)) void this.onRequest(o);
  }

  private onReply(o: Record<string, unknown>): void {
    if (typeof o.rid !== 'string') {
      this.report('an answer without rid');
      return;
    }
    if (o.ok === true) {
      this.settle(o.rid, o.result === undefined ? undefined : sanitizeMetrics(o.result));
      return;
    }
    const code = isFleetErrorCode(o.code) ? o.code : 'ACTION_FAILED';
    const text = typeof o.message === 'string' ? o.message.slice(0, 1000) : 'the owning instance refused';
    this.settle(o.rid, undefined, new FleetError(code, text));
  }

  private async onRequest(o: Record<string, unknown>): Promise<void> {
    const { rid, from, callId } = o;
    if (
      typeof rid !== 'string' ||
      typeof from !== 'string' ||
      typeof callId !== 'string' ||
      rid.length > 64
    ) {
      this.report('a control request without rid, from or callId');
      return;
    }
    let reply: ReplyMessage;
    try {
      const action = parseAction(o.action, this.maxTextLength);
      if (action instanceof FleetError) throw action;
      const result = await this.runLocal(callId, action);
      reply = result === undefined ? { rid, ok: true } : { rid, ok: true, result };
    } catch (err) {
      const e = err instanceof FleetError ? err : new FleetError('ACTION_FAILED', String(err));
      reply = { rid, ok: false, code: e.code, message: e.message };
    }
    if (this.closed || !this.redis) return;
    try {
      await this.redis.publish(this.keys.reply(from), JSON.stringify(reply));
    } catch (err) {
      // The requester times out; nothing else can be done without Redis.
      emitError(this, unavailable('answering a control request', err));
    }
  }

  private report(what: string): void {
    emitError(this, new FleetError('INVALID_ARGUMENT', `ignored ${what}`));
  }
}

/**
 * After Redis comes back, how long an instance nobody hears on its control channel counts as reconnecting
 * (`UNAVAILABLE`) rather than gone (`NOT_FOUND`): ioredis retries at most every second.
 */
const RESUBSCRIBE_GRACE_MS = 5_000;

function notFound(callId: string, why = 'it is not live on any instance'): FleetError {
  return new FleetError('NOT_FOUND', `call ${callId} not found: ${why}`);
}
