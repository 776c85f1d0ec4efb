import { EventEmitter } from 'node:events';
import type { CallSessionEvents } from './call-session.js';
import { CallEndedError } from './errors.js';

/** Typed events and the ended state shared by every {@link CallSession} implementation. */
export abstract class CallSessionBase extends EventEmitter {
  abstract readonly id: string;
  private endedReason: string | null = null;

  /** Whether the call has ended. */
  get ended(): boolean {
    return this.endedReason !== null;
  }

  /** Why the call ended, or null while it runs. */
  get endReason(): string | null {
    return this.endedReason;
  }

  /** @internal Marks the call ended and emits `end` once. */
  finish(reason: string): void {
    if (this.endedReason !== null) return;
    this.endedReason = reason;
    this.onFinish();
    this.emit('end', reason);
  }

  /** Hook for subclasses to drop per-call state when the call ends. */
  protected onFinish(): void {}

  protected assertOpen(): void {
    if (this.endedReason !== null) throw new CallEndedError(this.id, this.endedReason);
  }

  override on<E extends keyof CallSessionEvents>(
    event: E,
    listener: (...args: CallSessionEvents[E]) => void,
  ): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof CallSessionEvents>(
    event: E,
    listener: (...args: CallSessionEvents[E]) => void,
  ): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  override once<E extends keyof CallSessionEvents>(
    event: E,
    listener: (...args: CallSessionEvents[E]) => void,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }
}
