// A microphone volume meter for the terminal: RMS level of each captured block in dBFS, drawn as a bar.

/** Level of PCM16 samples in dBFS (RMS relative to a full-scale square wave); -Infinity for silence. */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : Number.NEGATIVE_INFINITY;
}

/** Keeps the loudest level since the last render and draws it: `mic [########------------]  -23 dBFS`. */
export class VolumeMeter {
  private peakDb = Number.NEGATIVE_INFINITY;

  constructor(
    /** Bar width in characters. */
    private readonly width = 30,
    /** Level drawn as an empty bar. */
    private readonly floorDb = -60,
  ) {}

  /** Adds a block of samples. */
  push(samples: Int16Array): void {
    const db = rmsDbfs(samples);
    if (db > this.peakDb) this.peakDb = db;
  }

  /** The bar for the loudest block since the previous call, then starts over. */
  render(): string {
    const db = this.peakDb;
    this.peakDb = Number.NEGATIVE_INFINITY;
    const fraction = Number.isFinite(db) ? Math.min(1, Math.max(0, (db - this.floorDb) / -this.floorDb)) : 0;
    const filled = Math.round(fraction * this.width);
    const label = Number.isFinite(db) ? `${db.toFixed(0).padStart(4)} dBFS` : '  -∞ dBFS';
    return `mic [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${label}`;
  }
}
