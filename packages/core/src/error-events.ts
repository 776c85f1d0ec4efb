import type { EventEmitter } from 'node:events';

/**
 * Emits `error` the same way in every voxwire package: to the `error` listeners when there are any;
 * otherwise as a process warning (`process.emitWarning`), never as the uncaught exception Node's
 * `EventEmitter` would throw. A server or session must not be taken down by one bad message because its
 * user did not subscribe to `error`.
 *
 * @returns whether a listener received the error.
 */
export function emitError(emitter: Pick<EventEmitter, 'emit' | 'listenerCount'>, error: Error): boolean {
  if (emitter.listenerCount('error') > 0) {
    emitter.emit('error', error);
    return true;
  }
  process.emitWarning(error);
  return false;
}
