// closeWebSocket with a stand-in socket and fake timers (real peers that stop reading are closed through it in
// the twilio-stream and webrtc hostile tests): a peer that answers the close frame is waited for, one that does
// not is destroyed after the grace period, and a socket still connecting is destroyed at once.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeWebSocket } from '../src/index.js';

class FakeSocket extends EventEmitter {
  readyState = 1;
  closeFrames: Array<[number | undefined, string | undefined]> = [];
  terminated = 0;
  /** Whether the peer answers a close frame. */
  answers = true;
  close(code?: number, reason?: string): void {
    this.closeFrames.push([code, reason]);
    this.readyState = 2;
    if (this.answers) queueMicrotask(() => this.closed());
  }
  terminate(): void {
    this.terminated++;
    this.closed();
  }
  private closed(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close');
  }
}

afterEach(() => vi.useRealTimers());

describe('closeWebSocket', () => {
  it('sends the close frame and resolves when the peer answers, without destroying the socket', async () => {
    const s = new FakeSocket();
    await closeWebSocket(s, 1001, 'going away', 1000);
    expect(s.closeFrames).toEqual([[1001, 'going away']]);
    expect(s.terminated).toBe(0);
    // Already closed: resolves at once, sends nothing more.
    await closeWebSocket(s, 1000, 'again', 1000);
    expect(s.closeFrames).toHaveLength(1);
  });

  it('destroys a socket whose peer does not answer within the grace period', async () => {
    vi.useFakeTimers();
    const s = new FakeSocket();
    s.answers = false;
    let done = false;
    const closing = closeWebSocket(s, 1008, 'policy', 500).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    expect(s.terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(s.terminated).toBe(1);
  });

  it('destroys a socket that is still connecting, and waits on one already closing', async () => {
    vi.useFakeTimers();
    const connecting = new FakeSocket();
    connecting.readyState = 0;
    await closeWebSocket(connecting, 1001, 'bye', 500);
    expect(connecting.terminated).toBe(1);
    expect(connecting.closeFrames).toEqual([]);

    const closing = new FakeSocket();
    closing.readyState = 2;
    const done = closeWebSocket(closing, 1001, 'bye', 500);
    await vi.advanceTimersByTimeAsync(500);
    await done;
    expect(closing.closeFrames).toEqual([]);
    expect(closing.terminated).toBe(1);
  });
});
