import { seqDiff } from './jitter-buffer.js';

/** Receive-side RTP counters, as RFC 3550 §6.4.1 defines them for receiver reports. */
export interface RtpReceiveCounters {
  /** Packets received, duplicates included. */
  packetsReceived: number;
  /** Payload bytes received. */
  bytesReceived: number;
  /** Packets expected from the sequence range seen, minus packets received (never negative). */
  packetsLost: number;
  /** `packetsLost / expected`, 0 when nothing is expected yet. */
  fractionLost: number;
  /** Interarrival jitter in milliseconds (RFC 3550 A.8 estimator). */
  jitterMs: number;
}

/**
 * Tracks the RFC 3550 statistics of one inbound RTP stream: extended highest sequence number, cumulative
 * loss and interarrival jitter. Arrival times come from the caller so the estimator is testable.
 */
export class RtpReceiveStats {
  private readonly clockRate: number;
  private started = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  private bytes = 0;
  private lastTransit = 0;
  private jitter = 0;

  /** @param clockRate - RTP clock rate of the stream (48000 for Opus) */
  constructor(clockRate = 48000) {
    this.clockRate = clockRate;
  }

  /**
   * Records one packet.
   * @param sequenceNumber - 16-bit RTP sequence number
   * @param timestamp - 32-bit RTP timestamp
   * @param payloadBytes - payload size
   * @param arrivalMs - arrival time in milliseconds on any monotonic clock
   */
  record(sequenceNumber: number, timestamp: number, payloadBytes: number, arrivalMs: number): void {
    const seq = sequenceNumber & 0xffff;
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (!this.started) {
      this.started = true;
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = seqDiff(seq, this.maxSeq);
      if (delta > 0) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
      // RFC 3550 A.8: J += (|D| - J) / 16, D being the change in transit time. Timestamps wrap at 2^32.
      let d = transit - this.lastTransit;
      if (d > 0x80000000) d -= 0x100000000;
      else if (d < -0x80000000) d += 0x100000000;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastTransit = transit;
    this.received++;
    this.bytes += payloadBytes;
  }

  /** Current counters. */
  snapshot(): RtpReceiveCounters {
    const expected = this.started ? this.cycles + this.maxSeq - this.baseSeq + 1 : 0;
    const lost = Math.max(0, expected - this.received);
    return {
      packetsReceived: this.received,
      bytesReceived: this.bytes,
      packetsLost: lost,
      fractionLost: expected > 0 ? lost / expected : 0,
      jitterMs: (this.jitter * 1000) / this.clockRate,
    };
  }
}
