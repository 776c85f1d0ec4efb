import {
  type AnyFrame,
  type AudioFrame,
  alaw,
  bytesToBase64,
  type EncodedFrame,
  int16ToBase64,
  isEncodedFrame,
  mulaw,
  OpusDecoder,
  Resampler,
} from '@voxwire/codecs';
import { RealtimeClientError } from './errors.js';
import { formatSampleRate, type RealtimeAudioFormat } from './protocol.js';

/** Receives one encoded batch: base64 audio in the wire format, and its duration in ms. */
export type BatchSink = (base64: string, durationMs: number) => void;

/** The G.711 codec of a wire format, or `null` for PCM16. */
export function wireCodec(format: RealtimeAudioFormat): 'pcmu' | 'pcma' | null {
  return format.type === 'audio/pcmu' ? 'pcmu' : format.type === 'audio/pcma' ? 'pcma' : null;
}

/**
 * Checks that `frame` is a usable mono frame.
 * @throws RealtimeClientError `INVALID_AUDIO` for something that is not a frame (or not mono, or PCM that is
 *   not an Int16Array), `INVALID_ARGUMENT` for a sample rate that is not an integer in 1000–384000 Hz
 */
export function checkFrame(frame: unknown): AnyFrame {
  if (frame === null || typeof frame !== 'object' || ArrayBuffer.isView(frame)) {
    const what =
      frame === null
        ? 'null'
        : typeof frame === 'object'
          ? (frame.constructor?.name ?? 'object')
          : typeof frame;
    throw new RealtimeClientError(
      'INVALID_AUDIO',
      `appendAudio needs an AudioFrame or EncodedFrame (see @voxwire/codecs audioFrame()), got ${what}`,
    );
  }
  const f = frame as { sampleRate?: unknown; channels?: unknown; codec?: unknown; data?: unknown };
  const sampleRate = f.sampleRate;
  if (
    typeof sampleRate !== 'number' ||
    !Number.isInteger(sampleRate) ||
    sampleRate < 1000 ||
    sampleRate > 384000
  ) {
    throw new RealtimeClientError(
      'INVALID_ARGUMENT',
      `sampleRate must be an integer number of Hz between 1000 and 384000, got ${typeof sampleRate === 'string' ? JSON.stringify(sampleRate) : String(sampleRate)} (${typeof sampleRate})`,
    );
  }
  if (f.channels !== 1) {
    throw new RealtimeClientError('INVALID_AUDIO', `audio must be mono, got channels ${String(f.channels)}`);
  }
  if (f.codec !== undefined) {
    if (
      !(f.data instanceof Uint8Array) ||
      !(f.codec === 'pcmu' || f.codec === 'pcma' || f.codec === 'opus')
    ) {
      throw new RealtimeClientError(
        'INVALID_AUDIO',
        `an EncodedFrame needs codec pcmu/pcma/opus and Uint8Array data`,
      );
    }
    return frame as EncodedFrame;
  }
  if (!(f.data instanceof Int16Array)) {
    const d = f.data;
    const what = d === null || typeof d !== 'object' ? typeof d : (d.constructor?.name ?? 'object');
    throw new RealtimeClientError(
      'INVALID_AUDIO',
      `AudioFrame.data must be an Int16Array of PCM16 samples, got ${what}`,
    );
  }
  return frame as AudioFrame;
}

/**
 * Turns caller PCM at any rate into wire-format batches: resamples to the session's input rate with a
 * streaming {@link Resampler} (state kept across calls, so chunking does not matter), collects samples into a
 * reused batch buffer of `batchMs`, and base64-encodes each full batch (G.711-companding it first for
 * `audio/pcmu` / `audio/pcma`). G.711 frames already in the wire codec skip all of that: their bytes are
 * base64-encoded once and sent as they are ({@link AudioInputEncoder.append}).
 */
export class AudioInputEncoder {
  private format: RealtimeAudioFormat;
  private rate: number;
  private batch: Int16Array;
  private codes: Uint8Array;
  private fill = 0;
  private resampler: Resampler | null = null;
  private resamplerInputRate = 0;
  /** Reused resampler output, grown to the largest chunk seen. */
  private scratch = new Int16Array(0);
  /** Reused G.711 decode output for frames in the other law, grown to the largest frame seen. */
  private decoded = new Int16Array(0);
  /** Decoder for Opus frames (created on the first one; packets are a stream, so it is kept). */
  private opus: OpusDecoder | null = null;

  constructor(
    format: RealtimeAudioFormat,
    private readonly batchMs: number,
  ) {
    this.format = format;
    this.rate = formatSampleRate(format);
    this.batch = new Int16Array(Math.max(1, Math.round((this.rate * batchMs) / 1000)));
    this.codes = new Uint8Array(this.batch.length);
  }

  /** The wire sample rate. */
  get sampleRate(): number {
    return this.rate;
  }

  /** Samples waiting in the partial batch. */
  get pendingSamples(): number {
    return this.fill;
  }

  /** Switches the wire format; audio already pushed is flushed in the old format first. */
  setFormat(format: RealtimeAudioFormat, sink: BatchSink): void {
    if (format.type === this.format.type) return;
    this.flush(sink);
    this.format = format;
    this.rate = formatSampleRate(format);
    this.batch = new Int16Array(Math.max(1, Math.round((this.rate * this.batchMs) / 1000)));
    this.codes = new Uint8Array(this.batch.length);
    this.resampler = null;
    this.resamplerInputRate = 0;
  }

  /**
   * Adds one caller frame (checked with {@link checkFrame}). An EncodedFrame whose codec is the wire codec
   * (G.711 at 8 kHz) is sent as its own append, its bytes base64-encoded once: no decode, no re-encode, no
   * batch copy (a partial PCM batch before it is flushed first, to keep the order). Other frames are decoded
   * if needed, resampled and batched.
   */
  append(frame: AnyFrame, sink: BatchSink): void {
    if (!isEncodedFrame(frame)) {
      this.push(frame.data, frame.sampleRate, sink);
      return;
    }
    if (frame.codec === wireCodec(this.format) && frame.sampleRate === this.rate) {
      if (frame.data.length === 0) return;
      this.flush(sink);
      sink(bytesToBase64(frame.data), (frame.data.length * 1000) / this.rate);
      return;
    }
    this.push(this.decode(frame), frame.sampleRate, sink);
  }

  /** Decodes an encoded frame that does not match the wire format (valid until the next call). */
  private decode(frame: EncodedFrame): Int16Array {
    if (frame.codec === 'opus') {
      this.opus ??= new OpusDecoder({ sampleRate: frame.sampleRate, channels: 1 });
      try {
        return this.opus.decode(frame.data);
      } catch (err) {
        throw new RealtimeClientError('INVALID_AUDIO', `undecodable Opus frame: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    if (this.decoded.length < frame.data.length) this.decoded = new Int16Array(frame.data.length * 2);
    const out = this.decoded.subarray(0, frame.data.length);
    return (frame.codec === 'pcmu' ? mulaw : alaw).decode(frame.data, out);
  }

  /** Releases the Opus decoder, if one was made. */
  close(): void {
    this.opus?.destroy();
    this.opus = null;
  }

  /** Adds caller PCM; full batches go to `sink`. */
  push(pcm: Int16Array, sampleRate: number, sink: BatchSink): void {
    let samples = pcm;
    if (sampleRate !== this.rate) {
      if (this.resamplerInputRate !== sampleRate) {
        // A rate change mid-stream: finish the old stream's tail before starting a new filter.
        if (this.resampler) this.collect(this.resampler.flush(), sink);
        this.resampler = new Resampler({ inputRate: sampleRate, outputRate: this.rate, channels: 1 });
        this.resamplerInputRate = sampleRate;
      }
      const resampler = this.resampler as Resampler;
      const need = resampler.outputLength(pcm.length);
      if (this.scratch.length < need) this.scratch = new Int16Array(need * 2);
      samples = resampler.process(pcm, this.scratch.subarray(0, need));
    } else if (this.resampler) {
      this.collect(this.resampler.flush(), sink);
      this.resampler = null;
      this.resamplerInputRate = 0;
    }
    this.collect(samples, sink);
  }

  /** Sends the resampler tail and the partial batch (before a commit, or at the end of input). */
  flush(sink: BatchSink): void {
    // flush() also resets the resampler: the next push starts a new stream.
    if (this.resampler) this.collect(this.resampler.flush(), sink);
    if (this.fill > 0) this.emit(this.fill, sink);
  }

  /** Discards the partial batch and the resampler state (the input buffer was cleared). */
  discard(): void {
    this.fill = 0;
    this.resampler?.reset();
  }

  private collect(samples: Int16Array, sink: BatchSink): void {
    const batch = this.batch;
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(batch.length - this.fill, samples.length - offset);
      batch.set(samples.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === batch.length) this.emit(this.fill, sink);
    }
  }

  private emit(n: number, sink: BatchSink): void {
    const pcm = n === this.batch.length ? this.batch : this.batch.subarray(0, n);
    let b64: string;
    if (this.format.type === 'audio/pcm') b64 = int16ToBase64(pcm);
    else {
      const law = this.format.type === 'audio/pcmu' ? mulaw : alaw;
      b64 = bytesToBase64(law.encode(pcm, this.codes));
    }
    this.fill = 0;
    sink(b64, (n * 1000) / this.rate);
  }
}
