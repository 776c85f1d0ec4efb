import { RealtimeProtocolError } from './errors.js';

/**
 * The uncommitted input audio of a session: PCM at the input rate, addressed by absolute sample positions
 * counted from the first sample the session received, so VAD positions and `audio_*_ms` fields agree.
 */
export class InputAudioBuffer {
  private data: Int16Array;
  private length = 0;
  /** Absolute position of the first held sample. */
  private start = 0;

  /**
   * @param maxSamples - appends beyond this are refused with `input_audio_buffer_full` (never dropped silently)
   */
  constructor(private readonly maxSamples: number) {
    this.data = new Int16Array(24000);
  }

  /** Absolute position just after the last held sample. */
  get end(): number {
    return this.start + this.length;
  }

  /** Absolute position of the first held sample. */
  get begin(): number {
    return this.start;
  }

  /** Samples held. */
  get size(): number {
    return this.length;
  }

  /** @throws RealtimeProtocolError when the buffer would exceed its limit */
  append(pcm: Int16Array): void {
    if (this.length + pcm.length > this.maxSamples) {
      throw new RealtimeProtocolError(
        'INPUT_AUDIO_BUFFER_FULL',
        `The input audio buffer is full (${this.maxSamples} samples): commit or clear it before appending more; this append was not added.`,
        'audio',
      );
    }
    if (this.length + pcm.length > this.data.length) {
      const grown = new Int16Array(
        Math.min(this.maxSamples, Math.max(this.data.length * 2, this.length + pcm.length)),
      );
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(pcm, this.length);
    this.length += pcm.length;
  }

  /** A copy of the samples in [from, to) (absolute positions, clamped to what is held). */
  copy(from: number, to: number): Int16Array {
    const a = Math.max(0, from - this.start);
    const b = Math.min(this.length, to - this.start);
    return this.data.slice(a, Math.max(a, b));
  }

  /** Forgets every sample before `position`. */
  dropBefore(position: number): void {
    const n = Math.min(this.length, position - this.start);
    if (n <= 0) return;
    this.data.copyWithin(0, n, this.length);
    this.length -= n;
    this.start += n;
  }

  /** Forgets everything held; positions keep counting. */
  clear(): void {
    this.start += this.length;
    this.length = 0;
  }
}
