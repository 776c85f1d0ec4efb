/**
 * The last `capacity` values of a PCM16 stream, addressed by absolute position (values since the stream
 * start): what the VAD's prefix padding is replayed from. Fixed memory, no allocation after construction.
 */
export class SampleHistory {
  private readonly buf: Int16Array;
  private written = 0;

  constructor(capacity: number) {
    this.buf = new Int16Array(Math.max(1, capacity));
  }

  /** Absolute position just after the newest value. */
  get end(): number {
    return this.written;
  }

  /** Oldest absolute position still held. */
  get start(): number {
    return Math.max(0, this.written - this.buf.length);
  }

  write(src: Int16Array): void {
    const cap = this.buf.length;
    let from = src;
    if (from.length > cap) from = from.subarray(from.length - cap);
    const at = (this.written + (src.length - from.length)) % cap;
    const first = Math.min(from.length, cap - at);
    this.buf.set(from.subarray(0, first), at);
    if (first < from.length) this.buf.set(from.subarray(first), 0);
    this.written += src.length;
  }

  /** Hands `[from, to)` (clamped to what is held) to `sink` as at most two views, valid during the call. */
  read(from: number, to: number, sink: (view: Int16Array) => void): void {
    const cap = this.buf.length;
    const a = Math.max(from, this.start);
    const b = Math.min(to, this.written);
    if (b <= a) return;
    const at = a % cap;
    const first = Math.min(b - a, cap - at);
    sink(this.buf.subarray(at, at + first));
    if (first < b - a) sink(this.buf.subarray(0, b - a - first));
  }

  reset(): void {
    this.written = 0;
  }
}
