import { bytesToInt16, int16ToBytes } from './bytes.js';
import { AudioFormatError } from './errors.js';
import { Framer } from './framer.js';
import { createOpusBackend, type OpusBackend, type OpusBackendName } from './opus-backend.js';
import { OPUS_APPLICATION, type OpusApplication } from './opus-ctl.js';

export type { OpusBackendName } from './opus-backend.js';
export type { OpusApplication } from './opus-ctl.js';

/** Sample rates Opus encodes and decodes natively. */
export const OPUS_SAMPLE_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];
/** Frame durations (ms) accepted by {@link OpusEncoder}. */
export const OPUS_FRAME_MS: readonly number[] = [10, 20, 40, 60];
/** Coding modes accepted by {@link OpusEncoder} (`application`). */
export const OPUS_APPLICATIONS = Object.keys(OPUS_APPLICATION) as readonly OpusApplication[];

/** Options shared by {@link OpusEncoder} and {@link OpusDecoder}. */
export interface OpusCommonOptions {
  /** 8000, 12000, 16000, 24000 or 48000 (default 48000). */
  sampleRate?: number;
  /** 1 or 2 (default 1); PCM is interleaved. */
  channels?: number;
  /**
   * `'auto'` (default) uses `@discordjs/opus` when it is installed and loads, else `opusscript`; or force one.
   */
  backend?: 'auto' | OpusBackendName;
}

/** Options for {@link OpusEncoder}. */
export interface OpusEncoderOptions extends OpusCommonOptions {
  /** Frame duration in ms: 10, 20 (default), 40 or 60. */
  frameMs?: number;
  /** Target bitrate in bits/s (500–512000); default: libopus' automatic choice. */
  bitrate?: number;
  /**
   * `'voip'` (default; speech-tuned: SILK or hybrid SILK+CELT for speech), `'audio'` (music/general, favours
   * CELT) or `'restricted-lowdelay'` (CELT only, 2.5 ms less delay). On speech, CELT-only encoding costs about a
   * third of `'voip'`'s CPU; libopus' own mode choice for speech below 64 kbit/s is hybrid.
   */
  application?: OpusApplication;
  /**
   * Encoder complexity 0–10: CPU spent per frame against coding quality. Default: libopus' own, 9 (also what
   * libwebrtc uses on desktop). On speech in `'voip'` mode, 5 costs about half of 9.
   */
  complexity?: number;
}

function checkCommon(options: OpusCommonOptions): { sampleRate: number; channels: number } {
  const sampleRate = options.sampleRate ?? 48000;
  const channels = options.channels ?? 1;
  if (!OPUS_SAMPLE_RATES.includes(sampleRate)) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `Opus sample rate must be one of ${OPUS_SAMPLE_RATES.join(', ')}, got ${sampleRate}`,
    );
  }
  if (channels !== 1 && channels !== 2)
    throw new AudioFormatError('INVALID_FORMAT', `Opus channels must be 1 or 2, got ${channels}`);
  return { sampleRate, channels };
}

function checkBitrate(bitrate: number): number {
  if (!Number.isInteger(bitrate) || bitrate < 500 || bitrate > 512000) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `Opus bitrate must be an integer in 500..512000 bits/s, got ${bitrate}`,
    );
  }
  return bitrate;
}

function checkComplexity(complexity: number): number {
  if (!Number.isInteger(complexity) || complexity < 0 || complexity > 10) {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `Opus complexity must be an integer in 0..10, got ${complexity}`,
    );
  }
  return complexity;
}

function openBackend(
  backend: OpusCommonOptions['backend'],
  sampleRate: number,
  channels: number,
  application: OpusApplication,
): OpusBackend {
  const choice = backend ?? 'auto';
  if (choice !== 'auto' && choice !== 'opusscript' && choice !== '@discordjs/opus') {
    throw new AudioFormatError(
      'INVALID_FORMAT',
      `Opus backend must be 'auto', 'opusscript' or '@discordjs/opus', got ${String(choice)}`,
    );
  }
  try {
    return createOpusBackend(choice, sampleRate, channels, application);
  } catch (err) {
    if (err instanceof AudioFormatError) throw err;
    throw new AudioFormatError('INVALID_FORMAT', err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }
}

/**
 * Encodes PCM16 to Opus packets, one packet per fixed-duration frame.
 *
 * @example
 * ```ts
 * const enc = new OpusEncoder({ sampleRate: 48000, frameMs: 20, bitrate: 32000 });
 * const packet = enc.encode(frame960); // exactly enc.frameSamples * channels samples
 * const packets = enc.push(anyLengthPcm); // frames internally, keeps the remainder
 * enc.destroy();
 * ```
 */
export class OpusEncoder {
  readonly sampleRate: number;
  readonly channels: number;
  readonly frameMs: number;
  /** Samples per channel in one frame. */
  readonly frameSamples: number;
  /** The implementation in use. */
  readonly backend: OpusBackendName;
  private readonly codec: OpusBackend;
  private readonly framer: Framer<'pcm16'>;

  constructor(options: OpusEncoderOptions = {}) {
    const { sampleRate, channels } = checkCommon(options);
    const frameMs = options.frameMs ?? 20;
    if (!OPUS_FRAME_MS.includes(frameMs)) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Opus frame duration must be one of ${OPUS_FRAME_MS.join(', ')} ms, got ${frameMs}`,
      );
    }
    const application = options.application ?? 'voip';
    if (!OPUS_APPLICATIONS.includes(application)) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Opus application must be one of ${OPUS_APPLICATIONS.join(', ')}, got ${String(application)}`,
      );
    }
    // Checked before the backend exists: an opusscript codec left behind by a throwing constructor would
    // never be freed.
    if (options.bitrate !== undefined) checkBitrate(options.bitrate);
    if (options.complexity !== undefined) checkComplexity(options.complexity);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.frameMs = frameMs;
    this.frameSamples = (sampleRate * frameMs) / 1000;
    this.codec = openBackend(options.backend, sampleRate, channels, application);
    this.backend = this.codec.name;
    this.framer = new Framer({ frameSize: this.frameSamples, channels, padLastFrame: true });
    if (options.bitrate !== undefined) this.setBitrate(options.bitrate);
    if (options.complexity !== undefined) this.setComplexity(options.complexity);
  }

  /** Changes the encoder complexity (integer 0–10; see {@link OpusEncoderOptions.complexity}). */
  setComplexity(complexity: number): void {
    this.codec.setComplexity(checkComplexity(complexity));
  }

  /** Changes the target bitrate (bits/s, 500–512000). */
  setBitrate(bitrate: number): void {
    this.codec.setBitrate(checkBitrate(bitrate));
  }

  /**
   * Encodes exactly one frame (`frameSamples * channels` interleaved samples) to one packet.
   * @throws AudioFormatError for any other length
   */
  encode(frame: Int16Array): Buffer {
    const need = this.frameSamples * this.channels;
    if (!(frame instanceof Int16Array) || frame.length !== need) {
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Opus encode needs one ${this.frameMs} ms frame of ${need} Int16 samples, got ${frame?.length ?? frame}`,
      );
    }
    return this.codec.encode(int16ToBytes(frame), this.frameSamples);
  }

  /** Encodes any amount of PCM, carrying the remainder to the next call; returns the completed packets. */
  push(pcm: Int16Array): Buffer[] {
    const packets: Buffer[] = [];
    this.framer.push(pcm, (frame) => packets.push(this.encode(frame)));
    return packets;
  }

  /** Encodes the remainder, padded with silence to a whole frame; returns 0 or 1 packet. */
  flush(): Buffer[] {
    return this.framer.flush().map((frame) => this.encode(frame));
  }

  /** Frees the native encoder (required for opusscript, whose memory is not garbage collected). */
  destroy(): void {
    this.codec.destroy();
  }

  /** The voxwire lifecycle: frees the encoder (as {@link destroy}); idempotent. */
  close(): Promise<void> {
    this.codec.destroy();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Decodes Opus packets to interleaved PCM16. A missing packet (`null` or empty) is concealed (PLC): the
 * decoder synthesises one frame of the last packet's duration that continues the signal.
 */
export class OpusDecoder {
  readonly sampleRate: number;
  readonly channels: number;
  readonly backend: OpusBackendName;
  private readonly codec: OpusBackend;
  private lastFrameSamples: number;
  private readonly empty = Buffer.alloc(0);

  constructor(options: OpusCommonOptions = {}) {
    const { sampleRate, channels } = checkCommon(options);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.codec = openBackend(options.backend, sampleRate, channels, 'voip');
    this.backend = this.codec.name;
    this.lastFrameSamples = sampleRate / 50;
  }

  /**
   * Decodes one packet to a fresh Int16Array (`frameSamples * channels` values).
   * @param packet - an Opus packet, or `null`/empty for a lost packet (concealed)
   * @throws AudioFormatError for a corrupt packet (the decoder stays usable)
   */
  decode(packet: Uint8Array | null): Int16Array {
    const lost = packet === null || packet === undefined || packet.length === 0;
    let pcm: Buffer;
    try {
      pcm = this.codec.decode(
        lost ? this.empty : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength),
      );
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AudioFormatError(
        'INVALID_FORMAT',
        `Opus packet of ${lost ? 0 : packet.length} bytes could not be decoded: ${why}`,
      );
    }
    const samples = pcm.length / (2 * this.channels);
    if (lost) {
      // Backends conceal up to their maximum frame (60 ms); keep one frame of the stream's own duration.
      return bytesToInt16(
        pcm.subarray(0, Math.min(samples, this.lastFrameSamples) * 2 * this.channels),
      ).slice();
    }
    this.lastFrameSamples = samples;
    return bytesToInt16(pcm);
  }

  /** Frees the native decoder. */
  destroy(): void {
    this.codec.destroy();
  }

  /** The voxwire lifecycle: frees the decoder (as {@link destroy}); idempotent. */
  close(): Promise<void> {
    this.codec.destroy();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
