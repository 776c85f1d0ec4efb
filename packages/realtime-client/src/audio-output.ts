import { alaw, base64ToBytes, base64ToInt16, mulaw, Resampler } from '@voxwire/codecs';
import { wireCodec } from './audio-input.js';
import { formatSampleRate, type RealtimeAudioFormat } from './protocol.js';

/** One `response.output_audio.delta`, decoded only as far as the caller needs. */
export interface DecodedDelta {
  /** Samples of wire audio in the delta (what positions and truncation count). */
  wireSamples: number;
  /** The G.711 bytes as they came, when the audio passes through encoded. */
  encoded?: Uint8Array;
  /** PCM at the caller rate, when the caller gets PCM (may be empty while a resampler fills). */
  pcm?: Int16Array;
  /** The wire PCM (the same array as `pcm` without resampling), when decoded. */
  wire?: Int16Array;
}

/**
 * Decodes `response.output_audio.delta` payloads. G.711 output passes through as its bytes (one base64
 * decode) unless the caller asked for PCM at some rate (`outputSampleRate`); base64 PCM16 is read directly;
 * either can be resampled to a caller rate with one streaming resampler per audio stream.
 */
export class AudioOutputDecoder {
  private format: RealtimeAudioFormat;
  private resampler: Resampler | null = null;

  constructor(
    format: RealtimeAudioFormat,
    /** Rate the caller wants, or undefined for the wire rate (and G.711 passed through). */
    private readonly outputRate: number | undefined,
  ) {
    this.format = format;
  }

  /** Wire sample rate of the current format. */
  get wireRate(): number {
    return formatSampleRate(this.format);
  }

  /** Rate of the audio this decoder returns. */
  get sampleRate(): number {
    return this.outputRate ?? this.wireRate;
  }

  /** The codec deltas pass through in (G.711 with no `outputSampleRate`), or `null` when they become PCM. */
  get passThroughCodec(): 'pcmu' | 'pcma' | null {
    return this.outputRate === undefined ? wireCodec(this.format) : null;
  }

  /** Changes the wire format (takes effect for the next delta). */
  setFormat(format: RealtimeAudioFormat): void {
    if (format.type === this.format.type) return;
    this.format = format;
    this.resampler = null;
  }

  /**
   * Decodes one delta.
   * @throws AudioFormatError (from @voxwire/codecs) for non-base64 text or odd PCM16 byte counts
   */
  decode(delta: string): DecodedDelta {
    if (this.passThroughCodec) {
      const encoded = base64ToBytes(delta);
      return { wireSamples: encoded.length, encoded };
    }
    const wire =
      this.format.type === 'audio/pcm'
        ? base64ToInt16(delta)
        : (this.format.type === 'audio/pcmu' ? mulaw : alaw).decode(base64ToBytes(delta));
    if (this.outputRate === undefined || this.outputRate === this.wireRate)
      return { wireSamples: wire.length, pcm: wire, wire };
    if (!this.resampler) {
      this.resampler = new Resampler({ inputRate: this.wireRate, outputRate: this.outputRate, channels: 1 });
    }
    return { wireSamples: wire.length, pcm: this.resampler.process(wire), wire };
  }

  /** Decodes G.711 bytes that passed through (only for callers that keep the audio). */
  decodeEncoded(bytes: Uint8Array): Int16Array {
    return (this.format.type === 'audio/pcma' ? alaw : mulaw).decode(bytes);
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
