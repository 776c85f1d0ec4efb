// Waiting for conditions and events with generous deadlines (they only stop a hang; nothing is timed).
import type { EventEmitter } from 'node:events';
import { waitUntil } from '@voxwire/test-support';

/** {@link waitUntil} with OpenClaw's generous default deadline (a minute: the room runs in real time). */
export function waitFor(test: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  return waitUntil(test, what, ms);
}

/** The next `event` whose arguments pass `match`; rejects after `ms`. */
export function nextEvent<T>(
  emitter: EventEmitter,
  event: string,
  match: (value: T) => boolean,
  what: string,
  ms = 60_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const on = (value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(value);
    };
    emitter.on(event, on);
  });
}
