import { alaw, bytesToBase64, bytesToInt16, int16ToBase64, mulaw, Resampler } from '@voxwire/codecs';
import { RealtimeClientError } from './errors.js';
import { formatSampleRate, type RealtimeAudioFormat } from './protocol.js';

/** Receives one encoded batch: base64 audio in the wire format, and its duration in ms. */
export type BatchSink = (base64: string, durationMs: number) => void;

/**
 * Checks and normalises caller audio: Int16Array as is, bytes (Buffer/Uint8Array) read as PCM16LE.
 * @throws RealtimeClientError `INVALID_AUDIO` for other types and odd byte counts, `INVALID_ARGUMENT` for a
 *   sample rate that is not a positive integer
 */
export function checkPcm(pcm: unknown, sampleRate: unknown): Int16Array {
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
  if (pcm instanceof Int16Array) return pcm;
  if (pcm instanceof Uint8Array) {
    if (pcm.byteLength % 2 !== 0) {
      throw new RealtimeClientError(
        'INVALID_AUDIO',
        `PCM16 bytes must come in pairs: got ${pcm.byteLength} bytes (an odd count would split a sample)`,
      );
    }
    return bytesToInt16(pcm);
  }
  const what =
    pcm === null ? 'null' : typeof pcm === 'object' ? (pcm.constructor?.name ?? 'object') : typeof pcm;
  throw new RealtimeClientError(
    'INVALID_AUDIO',
    `audio must be an Int16Array of PCM16 samples (or PCM16LE bytes), got ${what}`,
  );
}

/**
 * Turns caller PCM at any rate into wire-format batches: resamples to the session's input rate with a
 * streaming {@link Resampler} (state kept across calls, so chunking does not matter), collects samples into a
 * reused batch buffer of `batchMs`, and base64-encodes each full batch (G.711-companding it first for
 * `audio/pcmu` / `audio/pcma`).
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

  /** Adds caller audio; full batches go to `sink`. */
  push(pcm: Int16Array, sampleRate: number, sink: BatchSink): void {
    let samples = pcm;
    if (sampleRate !== this.rate) {
      if (this.resamplerInputRate !== sampleRate) {
        // A rate change mid-stream: finish the old stream's tail before starting a new filter.
        if (this.resampler) this.append(this.resampler.flush(), sink);
        this.resampler = new Resampler({ inputRate: sampleRate, outputRate: this.rate, channels: 1 });
        this.resamplerInputRate = sampleRate;
      }
      const resampler = this.resampler as Resampler;
      const need = resampler.outputLength(pcm.length);
      if (this.scratch.length < need) this.scratch = new Int16Array(need * 2);
      samples = resampler.process(pcm, this.scratch.subarray(0, need));
    } else if (this.resampler) {
      this.append(this.resampler.flush(), sink);
      this.resampler = null;
      this.resamplerInputRate = 0;
    }
    this.append(samples, sink);
  }

  /** Sends the resampler tail and the partial batch (before a commit, or at the end of input). */
  flush(sink: BatchSink): void {
    // flush() also resets the resampler: the next push starts a new stream.
    if (this.resampler) this.append(this.resampler.flush(), sink);
    if (this.fill > 0) this.emit(this.fill, sink);
  }

  /** Discards the partial batch and the resampler state (the input buffer was cleared). */
  discard(): void {
    this.fill = 0;
    this.resampler?.reset();
  }

  private append(samples: Int16Array, sink: BatchSink): void {
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
