import { EventEmitter } from 'node:events';
import type { CallSessionEvents } from './call-session.js';
import { CallEndedError } from './errors.js';

/**
 * Typed events and the ended state shared by every {@link CallSession} implementation. Errors go through
 * {@link CallSessionBase.report}, never a bare `emit('error')`: a call nobody listens to any more (ended,
 * bridge detached) must not turn a late bad message into an unhandled `error` event that kills the process.
 */
export abstract class CallSessionBase extends EventEmitter {
  abstract readonly id: string;
  private endedReason: string | null = null;
  /** Errors reported while nobody listened to `error` (late input after the call ended, mostly). */
  unheardErrors = 0;

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

  /**
   * @internal Reports bad input: an `error` event when someone listens, else counted in
   * {@link CallSessionBase.unheardErrors} and handed to {@link CallSessionBase.onUnheardError}.
   */
  report(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else {
      this.unheardErrors++;
      this.onUnheardError(err);
    }
  }

  /** Hook for subclasses: where an error nobody listens to goes (default: nowhere; it was counted). */
  protected onUnheardError(_err: Error): void {}

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
