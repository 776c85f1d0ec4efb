import { RtpHeader, RtpPacket } from 'werift';
import { WebRtcError } from './errors.js';
import { PcmQueue } from './pcm-queue.js';

/** Encodes one fixed-size frame of 48 kHz mono PCM into one Opus packet. */
export interface FrameEncoder {
  /** Name of the Opus implementation, for reports. */
  readonly backend?: string;
  /**
   * Encodes one frame. The packet returned belongs to the caller: it is sent as it is, without a copy, so it
   * must not be a buffer the encoder reuses.
   */
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
  /**
   * Hands one RTP packet to the transport. The packet object and its header are reused for the next packet
   * (werift's sender clones them synchronously); its payload is fresh. Clone it to keep it.
   */
  send(packet: RtpPacket): void;
  /** Dynamic payload type written into packets (the transport may rewrite it to the negotiated one). */
  payloadType?: number;
  /**
   * After this many identical encoded silence packets in a row, idle slots resend that packet instead of
   * encoding another frame of zeros (default 5; 0 encodes every slot). The encoder has settled by then: it
   * would write the same bytes again. An agent's peer is idle while the caller talks, and libopus pays 25–35 µs
   * per frame of zeros once it has seen a signal, 180–250 µs before it has (more than for speech): the first
   * seconds of every call. Not bit-exact afterwards: the encoder's analysis state skips those frames, so the
   * first speech packets after a long silence differ in a few bits (decoded, 41 dB apart and equally close to
   * the input in our tests).
   */
  reuseSilenceAfter?: number;
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
  /** Idle slots that resent the settled silence packet instead of encoding (see `reuseSilenceAfter`). */
  silenceReused: number;
}

/**
 * The send half of a peer: queues 48 kHz PCM (and Opus packets that need no encoding), and on each frame
 * slot of the shared real-time frame clock cuts one frame, encodes it and sends it as an RTP packet. Queued Opus packets
 * go before queued PCM, each on the slots its duration covers. With nothing queued it sends an encoded silence frame, as
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
    silenceReused: 0,
  };

  private readonly queue: PcmQueue;
  private readonly frame: Int16Array;
  private readonly frameSamples: number;
  private readonly encoder: FrameEncoder;
  private readonly send: (packet: RtpPacket) => void;
  private readonly payloadType: number;
  private readonly reuseSilenceAfter: number;
  /** The last encoded silence packet, and how many idle slots in a row encoded exactly these bytes. */
  private silence: Uint8Array | undefined;
  private silenceRun = 0;
  private sequenceNumber = Math.floor(Math.random() * 0x10000);
  private timestamp = Math.floor(Math.random() * 0x100000000);
  private ssrc = Math.floor(Math.random() * 0x100000000);
  private marker = true;
  /** Opus packets queued by `writeEncoded`, oldest first from `packetHead`. */
  private packets: { data: Uint8Array; samples: number }[] = [];
  private packetHead = 0;
  private packetSamples = 0;
  /** Samples of slot time not yet covered by sent packets (negative: a long packet still plays out). */
  private credit = 0;
  /** Queue length seen at the previous slot while only a partial frame was queued. */
  private partialSeen = -1;
  private endRequested = false;
  /** The one header and packet every send reuses (no per-packet objects of ours). */
  private readonly header = new RtpHeader();
  private readonly packet = new RtpPacket(this.header, Buffer.alloc(0));

  constructor(options: OutboundAudioOptions) {
    this.frameSamples = options.frameSamples;
    this.frame = new Int16Array(options.frameSamples);
    this.queue = new PcmQueue(options.maxQueueSamples, options.frameSamples * 50);
    this.encoder = options.encoder;
    this.send = options.send;
    this.payloadType = options.payloadType ?? 111;
    this.reuseSilenceAfter = Math.max(0, Math.floor(options.reuseSilenceAfter ?? 5));
  }

  /** Samples (48 kHz) waiting to be sent, PCM and Opus packets together. */
  get queuedSamples(): number {
    return this.queue.length + this.packetSamples;
  }

  /** Samples (48 kHz) that can still be queued before the limit. */
  get freeSamples(): number {
    return this.queue.free - this.packetSamples;
  }

  /** Queues 48 kHz PCM (copied). @throws WebRtcError `QUEUE_FULL` (nothing is queued then) */
  write(pcm48k: Int16Array): void {
    if (pcm48k.length > this.freeSamples) this.queueFull(pcm48k.length);
    this.queue.push(pcm48k);
    this.endRequested = false;
  }

  /**
   * Queues one Opus packet to send as it is (no decode, no encode), on the slots its `samples` (48 kHz)
   * cover. The bytes are copied, so the caller may reuse its buffer.
   * @throws WebRtcError `QUEUE_FULL` (nothing is queued then)
   */
  writeEncoded(packet: Uint8Array, samples: number): void {
    if (samples > this.freeSamples) this.queueFull(samples);
    this.packets.push({ data: Buffer.from(packet), samples });
    this.packetSamples += samples;
  }

  private queueFull(samples: number): never {
    throw new WebRtcError(
      'QUEUE_FULL',
      `audio queue holds ${this.queuedSamples} samples; ${samples} more would exceed its limit`,
    );
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
    let short = samples - this.freeSamples;
    // short > queued: more than the whole limit, which dropping cannot help.
    if (short <= 0 || short > this.queuedSamples) return 0;
    let n = 0;
    // Queued packets go out first, so they are the oldest audio.
    while (short > 0 && this.packetHead < this.packets.length) {
      const dropped = this.shiftPacket().samples;
      n += dropped;
      short -= dropped;
    }
    if (short > 0) n += this.queue.skip(short);
    this.stats.overflowSamples += n;
    return n;
  }

  /** Drops queued audio (barge-in); returns how many samples were dropped. */
  clear(): number {
    const n = this.queue.clear() + this.packetSamples;
    this.packets = [];
    this.packetHead = 0;
    this.packetSamples = 0;
    this.stats.clearedSamples += n;
    this.partialSeen = -1;
    return n;
  }

  private shiftPacket(): { data: Uint8Array; samples: number } {
    const p = this.packets[this.packetHead++];
    this.packetSamples -= p.samples;
    if (this.packetHead === this.packets.length) {
      this.packets.length = 0;
      this.packetHead = 0;
    }
    return p;
  }

  /**
   * One frame slot of the real-time clock.
   * @param skipped - slots the clock skipped before this one (event-loop stall); time advances over them
   */
  slot(skipped = 0): void {
    if (skipped > 0) {
      this.timestamp = (this.timestamp + skipped * this.frameSamples) >>> 0;
      this.marker = true;
      this.credit = 0;
    }
    if (this.packetHead < this.packets.length || this.credit < 0) {
      // Opus packets as they came: as many as this slot's time covers (a 40 ms packet covers two slots,
      // two 10 ms packets one).
      this.credit += this.frameSamples;
      while (this.credit > 0 && this.packetHead < this.packets.length) {
        const p = this.shiftPacket();
        this.credit -= p.samples;
        this.sendPayload(p.data, p.samples);
      }
      if (this.credit > 0) this.credit = 0; // the rest of the slot passes unsent
      this.silenceRun = 0;
      return;
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
      this.stats.idleSlots++;
      this.idleSlot();
      return;
    }
    this.silenceRun = 0;
    this.sendPayload(this.encoder.encode(this.frame), this.frameSamples);
  }

  /** A slot with nothing queued: encoded silence, or the settled silence packet once more. */
  private idleSlot(): void {
    const reuse = this.reuseSilenceAfter > 0 && this.silenceRun >= this.reuseSilenceAfter;
    if (reuse && this.silence) {
      this.stats.silenceReused++;
      this.sendPayload(this.silence, this.frameSamples);
      return;
    }
    this.frame.fill(0);
    const packet = this.encoder.encode(this.frame);
    if (this.silence && sameBytes(packet, this.silence)) {
      this.silenceRun++;
    } else {
      this.silence = packet;
      this.silenceRun = 1;
    }
    this.sendPayload(packet, this.frameSamples);
  }

  private sendPayload(payload: Uint8Array, samples: number): void {
    const header = this.header;
    header.payloadType = this.payloadType;
    header.sequenceNumber = this.sequenceNumber;
    header.timestamp = this.timestamp;
    header.ssrc = this.ssrc;
    header.marker = this.marker;
    this.marker = false;
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.timestamp = (this.timestamp + samples) >>> 0;
    this.stats.packetsSent++;
    this.stats.bytesSent += payload.length;
    // werift sends asynchronously and keeps the payload; the encoder hands over a packet of its own (see
    // FrameEncoder.encode), so a Buffer view of it suffices: no second copy.
    this.packet.payload = asBuffer(payload);
    this.send(this.packet);
  }
}

/** Whether two packets hold the same bytes (silence packets are a few bytes: a loop beats a Buffer wrapper). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `bytes` as a Buffer over the same memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
