// Measures of what a lossy codec did to a signal: waveform SNR after the codec's delay, and which Opus mode
// coded each packet.

/** Where {@link alignedSnrDb} compares, in samples of the reference. */
export interface AlignedSnrOptions {
  /** Largest codec delay tried, in samples (default 1000: 20 ms at 48 kHz). */
  maxLag?: number;
  /** First reference sample compared (default 0). */
  start?: number;
  /** Reference sample after the last compared (default: as far as `decoded` reaches at `maxLag`). */
  end?: number;
}

/**
 * Waveform SNR in dB of `decoded` against `reference` (mono), at the delay in 0..`maxLag` samples that gives the
 * best SNR: the codec's delay is found, not assumed. A waveform measure: it ranks settings of one codec on one
 * signal, it is not a perceptual score.
 */
export function alignedSnrDb(
  reference: Int16Array,
  decoded: Int16Array,
  options: AlignedSnrOptions = {},
): { snrDb: number; lag: number } {
  const maxLag = options.maxLag ?? 1000;
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? reference.length, reference.length, decoded.length - maxLag);
  let best = { snrDb: Number.NEGATIVE_INFINITY, lag: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    let signal = 0;
    let error = 0;
    for (let i = start; i < end; i++) {
      const r = reference[i] as number;
      const e = r - (decoded[i + lag] as number);
      signal += r * r;
      error += e * e;
    }
    const snrDb = 10 * Math.log10(signal / Math.max(error, 1e-9));
    if (snrDb > best.snrDb) best = { snrDb, lag };
  }
  return best;
}

/** The coding mode of an Opus packet, from its TOC byte's configuration (RFC 6716 §3.1). */
export function opusPacketMode(packet: Uint8Array): 'silk' | 'hybrid' | 'celt' {
  const config = (packet[0] ?? 0) >> 3;
  return config < 12 ? 'silk' : config < 16 ? 'hybrid' : 'celt';
}
