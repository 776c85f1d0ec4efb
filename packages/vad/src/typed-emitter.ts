import { EventEmitter } from 'node:events';

/** Event name → listener arguments. */
export type EventMap = Record<string, unknown[]>;

/**
 * A Node EventEmitter whose `on`/`once`/`off`/`emit` are typed by an event map, so listeners of
 * `VadSegmenter` and `QualityMonitor` get their payload types without casts.
 */
export class TypedEmitter<Events extends EventMap> {
  private readonly emitter = new EventEmitter();

  /** Adds a listener. */
  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds a listener called at most once. */
  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes every listener of `event`, or of all events (e.g. before dropping a segmenter mid-stream). */
  removeAllListeners<K extends keyof Events & string>(event?: K): this {
    if (event === undefined) this.emitter.removeAllListeners();
    else this.emitter.removeAllListeners(event);
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    return this.emitter.emit(event, ...args);
  }
}
