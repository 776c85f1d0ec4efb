import { RtpHeader, RtpPacket } from 'werift';
import { PcmQueue } from './pcm-queue.js';

/** Encodes one fixed-size frame of 48 kHz mono PCM into one Opus packet. */
export interface FrameEncoder {
  /** Name of the Opus implementation, for reports. */
  readonly backend?: string;
  encode(frame: Int16Array): Uint8Array;
  /** Frees the encoder (opusscript's memory is not garbage collected). */
  destroy?(): void;
}

/** Options for {@link OutboundAudio}. */
export interface OutboundAudioOptions {
  /** Samples per frame at 48 kHz (960 for 20 ms). */
  frameSamples: number;
  /** Most samples (48 kHz) that may wait in the queue. */
  maxQueueSamples: number;
  encoder: FrameEncoder;
  /** Hands one RTP packet to the transport. */
  send(packet: RtpPacket): void;
  /** Dynamic payload type written into packets (the transport may rewrite it to the negotiated one). */
  payloadType?: number;
}

/** Counters of an {@link OutboundAudio}. */
export interface OutboundAudioStats {
  packetsSent: number;
  bytesSent: number;
  /** Frame slots that passed with no audio queued: a silence frame was sent. */
  idleSlots: number;
  /** Partial frames padded with silence because no more audio arrived in time. */
  paddedFrames: number;
  /** Samples dropped by `clear()` (barge-in), counted so that nothing is dropped silently. */
  clearedSamples: number;
  /** Oldest queued samples dropped to make room under the `drop-oldest` queue policy. */
  overflowSamples: number;
}

/**
 * The send half of a peer: queues 48 kHz PCM, and on each frame slot of the real-time pacer cuts one
 * frame, encodes it and sends it as an RTP packet. With nothing queued it sends an encoded silence frame, as
 * a microphone would: the far end gets a continuous stream on a steady clock, and a stream that stops means
 * the sender is gone. The first packet carries the marker bit, as does the first after a clock stall
 * (RFC 3551 §4.1).
 */
export class OutboundAudio {
  readonly stats: OutboundAudioStats = {
    packetsSent: 0,
    bytesSent: 0,
    idleSlots: 0,
    paddedFrames: 0,
    clearedSamples: 0,
    overflowSamples: 0,
  };

  private readonly queue: PcmQueue;
  private readonly frame: Int16Array;
  private readonly frameSamples: number;
  private readonly encoder: FrameEncoder;
  private readonly send: (packet: RtpPacket) => void;
  private readonly payloadType: number;
  private sequenceNumber = Math.floor(Math.random() * 0x10000);
  private timestamp = Math.floor(Math.random() * 0x100000000);
  private ssrc = Math.floor(Math.random() * 0x100000000);
  private marker = true;
  /** Queue length seen at the previous slot while only a partial frame was queued. */
  private partialSeen = -1;
  private endRequested = false;

  constructor(options: OutboundAudioOptions) {
    this.frameSamples = options.frameSamples;
    this.frame = new Int16Array(options.frameSamples);
    this.queue = new PcmQueue(options.maxQueueSamples, options.frameSamples * 50);
    this.encoder = options.encoder;
    this.send = options.send;
    this.payloadType = options.payloadType ?? 111;
  }

  /** Samples (48 kHz) waiting to be sent. */
  get queuedSamples(): number {
    return this.queue.length;
  }

  /** Samples (48 kHz) that can still be queued before the limit. */
  get freeSamples(): number {
    return this.queue.free;
  }

  /** Queues 48 kHz PCM. @throws WebRtcError `queue-overflow` (nothing is queued then) */
  write(pcm48k: Int16Array): void {
    this.queue.push(pcm48k);
    this.endRequested = false;
  }

  /** Marks the end of an utterance: a partial last frame is padded with silence at the next slot. */
  end(): void {
    this.endRequested = true;
  }

  /**
   * Drops the oldest queued samples so that `samples` more fit under the limit (counted in
   * `overflowSamples`); nothing when they fit already or could not fit even in an empty queue.
   * @returns samples dropped
   */
  makeRoom(samples: number): number {
    const short = samples - this.queue.free;
    // short > length: more than the whole limit, which dropping cannot help.
    if (short <= 0 || short > this.queue.length) return 0;
    const n = this.queue.skip(short);
    this.stats.overflowSamples += n;
    return n;
  }

  /** Drops queued audio (barge-in); returns how many samples were dropped. */
  clear(): number {
    const n = this.queue.clear();
    this.stats.clearedSamples += n;
    this.partialSeen = -1;
    return n;
  }

  /**
   * One frame slot of the real-time clock.
   * @param skipped - slots the clock skipped before this one (event-loop stall); time advances over them
   */
  slot(skipped = 0): void {
    if (skipped > 0) {
      this.timestamp = (this.timestamp + skipped * this.frameSamples) >>> 0;
      this.marker = true;
    }
    const queued = this.queue.length;
    let take = queued >= this.frameSamples;
    if (!take && queued > 0) {
      // A partial frame waits one slot for more audio; if none came (or the utterance ended), pad it.
      if (this.endRequested || this.partialSeen === queued) {
        take = true;
        this.stats.paddedFrames++;
      } else {
        this.partialSeen = queued;
      }
    }
    if (take) {
      const n = this.queue.read(this.frame);
      if (n < this.frameSamples) this.frame.fill(0, n);
      this.partialSeen = -1;
      if (this.queue.length === 0) this.endRequested = false;
    } else {
      this.frame.fill(0);
      this.stats.idleSlots++;
    }
    const payload = this.encoder.encode(this.frame);
    const header = new RtpHeader({
      payloadType: this.payloadType,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      marker: this.marker,
    });
    this.marker = false;
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.timestamp = (this.timestamp + this.frameSamples) >>> 0;
    this.stats.packetsSent++;
    this.stats.bytesSent += payload.length;
    // werift sends asynchronously and keeps the payload: it must not alias a buffer the encoder reuses.
    this.send(new RtpPacket(header, Buffer.from(payload)));
  }
}
