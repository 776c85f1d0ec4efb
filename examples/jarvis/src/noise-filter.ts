/**
 * The `enable_noise_reduction` stage: a 2nd-order Butterworth high-pass at 100 Hz that removes DC offset,
 * hum and rumble (the low-frequency noise that most raises an energy VAD's floor). Streaming (state kept
 * across chunks, so the output does not depend on chunking) and in place.
 */
export class HighPassFilter {
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly a1: number;
  private readonly a2: number;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(sampleRate: number, cutoffHz = 100) {
    const w = (2 * Math.PI * cutoffHz) / sampleRate;
    const alpha = Math.sin(w) / Math.SQRT2; // Q = 1/√2
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    this.b0 = (1 + cos) / 2 / a0;
    this.b1 = -(1 + cos) / a0;
    this.b2 = this.b0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  /** Filters `pcm` in place and returns it. */
  process(pcm: Int16Array): Int16Array {
    let { x1, x2, y1, y2 } = this;
    const { b0, b1, b2, a1, a2 } = this;
    for (let i = 0; i < pcm.length; i++) {
      const x = pcm[i];
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      pcm[i] = y > 32767 ? 32767 : y < -32768 ? -32768 : Math.round(y);
    }
    this.x1 = x1;
    this.x2 = x2;
    this.y1 = y1;
    this.y2 = y2;
    return pcm;
  }
}
