import { EventEmitter } from 'node:events';
import { emitError } from '@voxwire/core';
import type { CallSessionEvents } from './call-session.js';
import { CallEndedError } from './errors.js';

/**
 * Typed events and the ended state shared by every {@link CallSession} implementation. Errors go through
 * {@link CallSessionBase.report}, never a bare `emit('error')`: a call nobody listens to any more (ended,
 * bridge detached) must not turn a late bad message into an unhandled `error` event that kills the process.
 */
export abstract class CallSessionBase extends EventEmitter<CallSessionEvents> {
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

  /** `await using call = …` hangs up and waits for the platform's connection to close. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Hangs up (if the call still runs) and resolves once the platform's connection is released. */
  abstract close(): Promise<void>;

  /** @internal Marks the call ended and emits `end` once. */
  finish(reason: string): void {
    if (this.endedReason !== null) return;
    this.endedReason = reason;
    this.emit('end', { reason });
  }

  /**
   * @internal Reports bad input: an `error` event when someone listens, else a process warning, counted in
   * {@link CallSessionBase.unheardErrors}.
   */
  report(err: Error): void {
    if (!emitError(this, err)) this.unheardErrors++;
  }

  protected assertOpen(): void {
    if (this.endedReason !== null) throw new CallEndedError(this.id, this.endedReason);
  }
}
