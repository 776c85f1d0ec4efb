// The parties' pitches and per-block tone levels (Goertzel, Hann window). Tones and speech come from
// @voxwire/test-support.

/** The pitches that tell the parties apart in the mix. */
export const BROWSER_HZ = 440;
export const CALL_HZ = 1000;
export const AGENT_HZ = 660;
export const PROBE_HZ = [BROWSER_HZ, AGENT_HZ, CALL_HZ] as const;

/** One block's level at each probe frequency and overall, dBFS (a full-scale sine reads −3 dBFS). */
export interface BlockLevels {
  /** Levels at {@link PROBE_HZ}, same order. */
  tones: number[];
  rms: number;
}

/**
 * Splits PCM into `blockMs` blocks and measures the level of each probe frequency (Goertzel over a Hann
 * window, scaled so a sine of amplitude A reads 20·log10(A/√2)) and the block's RMS.
 */
export function blockLevels(
  pcm: Int16Array,
  sampleRate: number,
  blockMs = 100,
  freqs: readonly number[] = PROBE_HZ,
): BlockLevels[] {
  const n = Math.round((sampleRate * blockMs) / 1000);
  const win = new Float64Array(n);
  let winSum = 0;
  for (let i = 0; i < n; i++) {
    win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    winSum += win[i] as number;
  }
  const out: BlockLevels[] = [];
  for (let start = 0; start + n <= pcm.length; start += n) {
    const tones = freqs.map((f) => {
      const c = 2 * Math.cos((2 * Math.PI * f) / sampleRate);
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const s0 = ((pcm[start + i] as number) / 32768) * (win[i] as number) + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      const amp = (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2))) / winSum;
      return 20 * Math.log10(amp / Math.SQRT2 + 1e-9);
    });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (pcm[start + i] as number) ** 2;
    out.push({ tones, rms: 10 * Math.log10(sum / n / 32768 ** 2 + 1e-12) });
  }
  return out;
}

/** Number of blocks in which probe `index` is above `minDb`. */
export function blocksWith(blocks: readonly BlockLevels[], index: number, minDb = -35): number {
  return blocks.filter((b) => (b.tones[index] as number) > minDb).length;
}

/** The loudest level probe `index` reaches over the blocks, dBFS. */
export function peakOf(blocks: readonly BlockLevels[], index: number): number {
  return blocks.reduce((m, b) => Math.max(m, b.tones[index] as number), -Infinity);
}
