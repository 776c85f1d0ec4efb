// keepAlive with a stand-in socket and fake timers (the real peers are in the audiocodes and twilio-stream
// tests): a peer that answers keeps its socket, one that stops answering is terminated once.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepAlive } from '../src/index.js';

class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = 0;
  answers = true;
  ping(): void {
    this.pings++;
    if (this.answers) queueMicrotask(() => this.emit('pong'));
  }
  terminate(): void {
    this.terminated++;
    this.emit('close');
  }
}

afterEach(() => vi.useRealTimers());

describe('keepAlive', () => {
  it('keeps an answering peer, terminates one that stops answering, and stops on close', async () => {
    vi.useFakeTimers();
    const s = new FakeSocket();
    let dead = 0;
    keepAlive(s, { intervalMs: 1000, timeoutMs: 500, onDead: () => dead++ });
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.pings).toBe(5);
    expect(s.terminated).toBe(0);
    s.answers = false;
    await vi.advanceTimersByTimeAsync(1500);
    expect([s.terminated, dead]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.pings).toBe(6);
    expect(s.listenerCount('pong') + s.listenerCount('close')).toBe(0);
  });
});
