import { WebRtcError } from './errors.js';

/** Options for {@link JitterBuffer}. */
export interface JitterBufferOptions {
  /**
   * How many packets past a gap the buffer waits for the missing packet before declaring it lost.
   * In-order packets pass through at once; only a gap adds delay, at most `depth` packet durations.
   * Default 3 (60 ms of reordering tolerance at 20 ms packets).
   */
  depth?: number;
  /** Packets the buffer can hold; a jump larger than this restarts the sequence. Default 64. */
  capacity?: number;
  /** RTP timestamp step assumed for a lost packet before two packets have shown the real step. Default 960. */
  defaultDuration?: number;
}

/**
 * Receives one frame, in sequence order: `payload` is the packet's payload, or `null` for a packet declared
 * lost (the consumer conceals it, e.g. with Opus PLC). `duration` is the RTP timestamp step of the frame.
 */
export type JitterFrameHandler = (
  payload: Uint8Array | null,
  sequenceNumber: number,
  timestamp: number,
  duration: number,
) => void;

/** Counters kept by a {@link JitterBuffer}. */
export interface JitterBufferStats {
  /** Packets accepted into the buffer. */
  received: number;
  /** Packets handed on with their payload. */
  played: number;
  /** Packets declared lost and handed on as `null` for concealment. */
  concealed: number;
  /** Packets that arrived after their slot had been played or concealed (dropped, counted here). */
  late: number;
  /** Packets whose sequence number was already held (dropped, counted here). */
  duplicates: number;
  /** Packets that arrived ahead of a missing one and waited for it. */
  reordered: number;
  /** Times the sequence jumped further than `capacity` and the buffer restarted from the new packet. */
  restarts: number;
}

/** Signed distance a - b between two 16-bit RTP sequence numbers, in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/**
 * Puts RTP packets back into sequence order and turns gaps into explicit loss.
 *
 * Driven by packet arrival, not by a clock: a packet that continues the sequence is handed on immediately;
 * one that arrives ahead of a gap is held until the gap fills or until `depth` packets past it have
 * arrived, and then the missing packet is handed on as `null`. Late and duplicate packets are dropped and
 * counted. `flush()` hands on everything held (concealing gaps) when the stream ends or stalls.
 */
export class JitterBuffer {
  readonly stats: JitterBufferStats = {
    received: 0,
    played: 0,
    concealed: 0,
    late: 0,
    duplicates: 0,
    reordered: 0,
    restarts: 0,
  };

  private readonly depth: number;
  private readonly capacity: number;
  private readonly onFrame: JitterFrameHandler;
  private readonly payloads: (Uint8Array | null)[];
  private readonly timestamps: Uint32Array;
  private readonly seqs: Int32Array;
  private started = false;
  /** Next sequence number to hand on. */
  private nextSeq = 0;
  /** Sequence number of the newest held packet (valid when `held > 0`). */
  private newestSeq = 0;
  private held = 0;
  private lastTimestamp = 0;
  private duration: number;

  constructor(onFrame: JitterFrameHandler, options: JitterBufferOptions = {}) {
    const depth = options.depth ?? 3;
    const capacity = options.capacity ?? 64;
    if (!Number.isInteger(depth) || depth < 1)
      throw new WebRtcError('INVALID_ARGUMENT', `depth must be ≥ 1, got ${depth}`);
    if (!Number.isInteger(capacity) || capacity <= depth) {
      throw new WebRtcError('INVALID_ARGUMENT', `capacity must be an integer > depth, got ${capacity}`);
    }
    this.depth = depth;
    this.capacity = capacity;
    this.duration = options.defaultDuration ?? 960;
    this.onFrame = onFrame;
    this.payloads = new Array<Uint8Array | null>(capacity).fill(null);
    this.timestamps = new Uint32Array(capacity);
    this.seqs = new Int32Array(capacity).fill(-1);
  }

  /** Packets currently held waiting for a gap to fill. */
  get pending(): number {
    return this.held;
  }

  /** Accepts one packet; hands on every frame that is now due, in order. */
  push(sequenceNumber: number, timestamp: number, payload: Uint8Array): void {
    const seq = sequenceNumber & 0xffff;
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
      this.lastTimestamp = (timestamp - this.duration) >>> 0;
    }
    const ahead = seqDiff(seq, this.nextSeq);
    if (ahead < 0) {
      this.stats.late++;
      return;
    }
    if (ahead >= this.capacity) {
      // A jump this large is a new stream (sender restart, long mute): play out what is held, then resync.
      this.flush();
      this.stats.restarts++;
      this.nextSeq = seq;
      this.lastTimestamp = (timestamp - this.duration) >>> 0;
    }
    const slot = seq % this.capacity;
    if (this.seqs[slot] === seq) {
      this.stats.duplicates++;
      return;
    }
    this.stats.received++;
    this.seqs[slot] = seq;
    this.payloads[slot] = payload;
    this.timestamps[slot] = timestamp;
    if (this.held === 0 || seqDiff(seq, this.newestSeq) > 0) this.newestSeq = seq;
    this.held++;
    if (seq !== this.nextSeq) this.stats.reordered++;
    this.drain(false);
  }

  /** Hands on everything held, concealing the gaps between held packets. */
  flush(): void {
    this.drain(true);
  }

  /** Forgets all state; the next packet starts a new sequence. */
  reset(): void {
    this.payloads.fill(null);
    this.seqs.fill(-1);
    this.held = 0;
    this.started = false;
  }

  private drain(force: boolean): void {
    while (this.held > 0) {
      const slot = this.nextSeq % this.capacity;
      if (this.seqs[slot] === this.nextSeq) {
        const payload = this.payloads[slot]!;
        const ts = this.timestamps[slot];
        this.payloads[slot] = null;
        this.seqs[slot] = -1;
        this.held--;
        const step = (ts - this.lastTimestamp) >>> 0;
        // Learn the packet duration from consecutive packets; ignore silence jumps (DTX) above 120 ms.
        if (step > 0 && step <= 5760) this.duration = step;
        this.lastTimestamp = ts;
        this.stats.played++;
        this.onFrame(payload, this.nextSeq, ts, this.duration);
      } else if (force || seqDiff(this.newestSeq, this.nextSeq) >= this.depth) {
        const ts = (this.lastTimestamp + this.duration) >>> 0;
        this.lastTimestamp = ts;
        this.stats.concealed++;
        this.onFrame(null, this.nextSeq, ts, this.duration);
      } else {
        return;
      }
      this.nextSeq = (this.nextSeq + 1) & 0xffff;
    }
  }
}
