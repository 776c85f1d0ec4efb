import { alaw, base64ToBytes, base64ToInt16, mulaw, Resampler } from '@voxwire/codecs';
import { formatSampleRate, type RealtimeAudioFormat } from './protocol.js';

/**
 * Decodes `response.output_audio.delta` payloads to Int16 PCM: base64 PCM16 directly, G.711 through its
 * decode table; optionally resampled to a caller rate with one streaming resampler per audio stream.
 */
export class AudioOutputDecoder {
  private format: RealtimeAudioFormat;
  private resampler: Resampler | null = null;

  constructor(
    format: RealtimeAudioFormat,
    /** Rate the caller wants, or undefined for the wire rate. */
    private readonly outputRate: number | undefined,
  ) {
    this.format = format;
  }

  /** Wire sample rate of the current format. */
  get wireRate(): number {
    return formatSampleRate(this.format);
  }

  /** Rate of the PCM this decoder returns. */
  get sampleRate(): number {
    return this.outputRate ?? this.wireRate;
  }

  /** Changes the wire format (takes effect for the next delta). */
  setFormat(format: RealtimeAudioFormat): void {
    if (format.type === this.format.type) return;
    this.format = format;
    this.resampler = null;
  }

  /**
   * Decodes one delta; returns the wire PCM (for position accounting) and the PCM for the caller.
   * @throws AudioFormatError (from @voxwire/codecs) for non-base64 text or odd PCM16 byte counts
   */
  decode(delta: string): { wire: Int16Array; out: Int16Array } {
    const wire =
      this.format.type === 'audio/pcm'
        ? base64ToInt16(delta)
        : (this.format.type === 'audio/pcmu' ? mulaw : alaw).decode(base64ToBytes(delta));
    if (this.outputRate === undefined || this.outputRate === this.wireRate) return { wire, out: wire };
    if (!this.resampler) {
      this.resampler = new Resampler({ inputRate: this.wireRate, outputRate: this.outputRate, channels: 1 });
    }
    return { wire, out: this.resampler.process(wire) };
  }

  /** Ends one audio stream (an item's audio is done): returns the resampler tail, if any. */
  endStream(): Int16Array | null {
    if (!this.resampler) return null;
    const tail = this.resampler.flush(); // also resets
    return tail.length > 0 ? tail : null;
  }

  /** Drops resampler state (the stream was interrupted). */
  abortStream(): void {
    this.resampler?.reset();
  }
}
