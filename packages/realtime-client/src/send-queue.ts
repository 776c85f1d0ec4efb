/** What a bounded queue dropped to stay within its limit. */
export interface OverflowInfo {
  /** Why audio was dropped: the socket was too slow, or the client closed with audio still queued. */
  reason: 'backpressure' | 'closed';
  /** Audio appends dropped (oldest first). */
  droppedMessages: number;
  /** Duration of the dropped audio, in ms at the session input rate. */
  droppedAudioMs: number;
  /** Bytes still queued after the drop. */
  queuedBytes: number;
}

interface Entry {
  data: string;
  /** Duration of audio in this message, or 0 for a control event (never dropped). */
  audioMs: number;
}

/**
 * FIFO of serialized client events waiting for a slow or reconnecting socket, bounded in bytes. When full,
 * the oldest audio appends are dropped (control events never are) and the caller is told exactly what was
 * dropped, so a stalled network costs the oldest audio instead of unbounded memory.
 */
export class SendQueue {
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Messages waiting. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /** Bytes waiting. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Audio ms waiting. */
  get queuedAudioMs(): number {
    let ms = 0;
    for (let i = this.head; i < this.entries.length; i++) ms += this.entries[i].audioMs;
    return ms;
  }

  /**
   * Appends a message; when that exceeds `maxBytes`, drops the oldest audio until it fits (or no audio is
   * left). Returns what was dropped, or `null`.
   */
  push(data: string, audioMs: number): { droppedMessages: number; droppedAudioMs: number } | null {
    this.entries.push({ data, audioMs });
    this.bytes += data.length;
    if (this.bytes <= this.maxBytes) return null;
    let droppedMessages = 0;
    let droppedAudioMs = 0;
    let kept = this.head;
    const e = this.entries;
    // One compacting pass: drop audio from the front while over the limit, keep everything else in order.
    for (let i = this.head; i < e.length; i++) {
      const entry = e[i];
      if (this.bytes > this.maxBytes && entry.audioMs > 0 && i < e.length - 1) {
        this.bytes -= entry.data.length;
        droppedMessages++;
        droppedAudioMs += entry.audioMs;
      } else {
        e[kept++] = entry;
      }
    }
    e.length = kept;
    return droppedMessages > 0 ? { droppedMessages, droppedAudioMs } : null;
  }

  /** Next message to send, without removing it. */
  peek(): string | undefined {
    return this.head < this.entries.length ? this.entries[this.head].data : undefined;
  }

  /** Removes the next message. */
  shift(): string | undefined {
    if (this.head >= this.entries.length) return undefined;
    const entry = this.entries[this.head++];
    this.bytes -= entry.data.length;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return entry.data;
  }

  /** Empties the queue; returns what it held. */
  clear(): { messages: number; audioMessages: number; audioMs: number } {
    let audioMessages = 0;
    let audioMs = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      if (this.entries[i].audioMs > 0) {
        audioMessages++;
        audioMs += this.entries[i].audioMs;
      }
    }
    const messages = this.length;
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    return { messages, audioMessages, audioMs };
  }
}
