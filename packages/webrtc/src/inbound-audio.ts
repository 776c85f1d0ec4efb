import { performance } from 'node:perf_hooks';
import type { AudioFrame } from '@voxwire/codecs';
import { JitterBuffer, type JitterBufferStats } from './jitter-buffer.js';
import { type RtpReceiveCounters, RtpReceiveStats } from './receive-stats.js';

/** Decodes Opus packets to mono PCM at a fixed rate, and conceals lost packets. */
export interface FrameDecoder {
  /** Output rate of `decode`/`conceal`. */
  readonly sampleRate: number;
  decode(packet: Uint8Array): Int16Array;
  /** Synthesises `samples` samples in place of a lost packet (Opus PLC). */
  conceal(samples: number): Int16Array;
  /** Frees the decoder (opusscript's memory is not garbage collected). */
  destroy?(): void;
}

/** Turns decoder-rate PCM into output-rate PCM (identity when the rates match). */
export interface OutputConverter {
  process(pcm: Int16Array): Int16Array;
}

/**
 * What the network said about one decoded frame, handed beside it to {@link InboundAudioOptions.onAudio}
 * (and to a peer's `audio` listeners as their second argument).
 */
export interface InboundFrameInfo {
  /** RTP sequence number of the frame. */
  sequenceNumber: number;
  /** RTP timestamp of the frame (48 kHz clock). */
  timestamp: number;
  /** True when the frame was synthesised by packet-loss concealment. */
  concealed: boolean;
}

/** Options for {@link InboundAudio}. */
export interface InboundAudioOptions {
  decoder: FrameDecoder;
  /** Resampler from the decoder rate to the output rate, when they differ. */
  converter?: OutputConverter;
  /**
   * Receives every decoded frame, in sequence order: mono PCM at the output rate, `position` counting the
   * samples delivered before it (concealed frames included, so it is the stream's timeline). The frame and
   * its `data` belong to the receiver; `info` is a fresh object too.
   */
  onAudio(frame: AudioFrame, info: InboundFrameInfo): void;
  /** Called when a frame cannot be decoded (the frame is concealed instead). */
  onDecodeError(error: unknown): void;
  /** Jitter buffer depth in packets (see {@link JitterBufferOptions.depth}). */
  jitterDepth?: number;
  /** RTP clock rate (48000 for Opus). */
  clockRate?: number;
  /** Rate of the frames handed to `onAudio` (the converter's output rate). Default: the decoder's rate. */
  sampleRate?: number;
}

/**
 * The receive half of a peer: RTP statistics, jitter buffer, Opus decode with loss concealment, and
 * conversion to the output rate.
 */
export class InboundAudio {
  private readonly jitter: JitterBuffer;
  private readonly receiveStats: RtpReceiveStats;
  private readonly decoder: FrameDecoder;
  private readonly converter: OutputConverter | undefined;
  private readonly onAudio: (frame: AudioFrame, info: InboundFrameInfo) => void;
  private readonly onDecodeError: (error: unknown) => void;
  private readonly clockRate: number;
  /** Rate of the delivered frames. */
  readonly sampleRate: number;
  /** Samples delivered so far: the `position` of the next frame. */
  private position = 0;
  /** Frames that failed to decode and were concealed instead. */
  decodeErrors = 0;

  constructor(options: InboundAudioOptions) {
    this.decoder = options.decoder;
    this.converter = options.converter;
    this.onAudio = options.onAudio;
    this.onDecodeError = options.onDecodeError;
    this.clockRate = options.clockRate ?? 48000;
    this.sampleRate = options.sampleRate ?? options.decoder.sampleRate;
    this.receiveStats = new RtpReceiveStats(this.clockRate);
    this.jitter = new JitterBuffer(this.onFrame, { depth: options.jitterDepth ?? 3 });
  }

  /** Jitter-buffer counters (played, concealed, late, duplicates, reordered). */
  get jitterStats(): Readonly<JitterBufferStats> {
    return this.jitter.stats;
  }

  /** Packets held by the jitter buffer waiting for a gap to fill. */
  get pendingPackets(): number {
    return this.jitter.pending;
  }

  /** RFC 3550 receive counters (received, lost, jitter). */
  counters(): RtpReceiveCounters {
    return this.receiveStats.snapshot();
  }

  /** Accepts one RTP packet. */
  receive(
    sequenceNumber: number,
    timestamp: number,
    payload: Uint8Array,
    arrivalMs = performance.now(),
  ): void {
    this.receiveStats.record(sequenceNumber, timestamp, payload.length, arrivalMs);
    this.jitter.push(sequenceNumber, timestamp, payload);
  }

  /** Plays out everything the jitter buffer holds, concealing its gaps (stream stalled or ended). */
  flush(): void {
    this.jitter.flush();
  }

  private readonly onFrame = (
    payload: Uint8Array | null,
    sequenceNumber: number,
    timestamp: number,
    duration: number,
  ): void => {
    let pcm: Int16Array;
    let concealed = payload === null;
    const samples = Math.round((duration * this.decoder.sampleRate) / this.clockRate);
    try {
      if (payload === null) {
        pcm = this.decoder.conceal(samples);
      } else {
        try {
          pcm = this.decoder.decode(payload);
        } catch (err) {
          this.decodeErrors++;
          this.onDecodeError(err);
          pcm = this.decoder.conceal(samples);
          concealed = true;
        }
      }
    } catch (err) {
      // Concealment itself failed (a broken decoder): report it; the frame is missing from the output.
      this.decodeErrors++;
      this.onDecodeError(err);
      return;
    }
    const out = this.converter ? this.converter.process(pcm) : pcm;
    if (out.length === 0) return;
    const position = this.position;
    this.position += out.length;
    this.onAudio(
      { data: out, sampleRate: this.sampleRate, channels: 1, position },
      { sequenceNumber, timestamp, concealed },
    );
  };
}
