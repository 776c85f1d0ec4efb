import { type OverflowInfo, SendQueue } from './send-queue.js';
import type { WebSocketLike } from './socket.js';

/**
 * Outgoing events: sent at once while the socket is ready and not backed up, otherwise kept in a bounded
 * {@link SendQueue} (oldest audio dropped first, each drop reported) and drained as the socket catches up.
 */
export class Outbox {
  private readonly queue: SendQueue;
  private drainTimer: NodeJS.Timeout | undefined;
  /** Events written to a socket. */
  messagesSent = 0;
  /** Audio appends dropped (under backpressure, or unsent at close), and their duration. */
  droppedAudioMessages = 0;
  droppedAudioMs = 0;

  constructor(
    private readonly highWaterMark: number,
    maxQueueBytes: number,
    /** The socket to write to, or `null` while there is none ready. */
    private readonly target: () => WebSocketLike | null,
    private readonly overflow: (info: OverflowInfo) => void,
  ) {
    this.queue = new SendQueue(maxQueueBytes);
  }

  /** Sends now when the socket is ready and not backed up; otherwise queues (bounded, audio dropped first). */
  send(data: string, audioMs: number): void {
    const ws = this.target();
    if (ws && this.queue.length === 0 && ws.bufferedAmount < this.highWaterMark) {
      ws.send(data);
      this.messagesSent++;
      return;
    }
    const dropped = this.queue.push(data, audioMs);
    if (dropped) {
      this.droppedAudioMessages += dropped.droppedMessages;
      this.droppedAudioMs += dropped.droppedAudioMs;
      this.overflow({ reason: 'backpressure', ...dropped, queuedBytes: this.queue.queuedBytes });
    }
    this.scheduleDrain();
  }

  /** Writes straight to `ws`, ahead of the queue (session setup on a fresh socket). */
  sendDirect(ws: WebSocketLike, data: string): void {
    ws.send(data);
    this.messagesSent++;
  }

  /** Sends what the socket will take now; schedules the rest. */
  drain(): void {
    const ws = this.target();
    if (!ws) return;
    while (this.queue.length > 0 && ws.bufferedAmount < this.highWaterMark) {
      ws.send(this.queue.shift() as string);
      this.messagesSent++;
    }
    if (this.queue.length > 0) this.scheduleDrain();
  }

  /** Stops draining (the socket went away; queued events wait for the next one). */
  pause(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Empties the queue for good, reporting unsent audio as an `overflow` with reason `closed`. */
  clear(): { messages: number; audioMs: number } {
    this.pause();
    const unsent = this.queue.clear();
    if (unsent.audioMessages > 0) {
      this.droppedAudioMessages += unsent.audioMessages;
      this.droppedAudioMs += unsent.audioMs;
      this.overflow({
        reason: 'closed',
        droppedMessages: unsent.audioMessages,
        droppedAudioMs: unsent.audioMs,
        queuedBytes: 0,
      });
    }
    return { messages: unsent.messages, audioMs: unsent.audioMs };
  }

  private scheduleDrain(): void {
    if (this.drainTimer || !this.target()) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.drain();
    }, 5);
  }
}
