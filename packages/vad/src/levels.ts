/** Level helpers shared by the energy VAD and the signal metrics. Full scale is 1.0 (Int16: 32768). */

/** dBFS never goes below this, so silence stays a finite number. */
export const MIN_DBFS = -120;

/** RMS of a frame on a full-scale-1 basis, for Int16 or Float32 samples. */
export function frameRms(frame: Int16Array | Float32Array, start = 0, end = frame.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = frame[i];
    sum += v * v;
  }
  const scale = frame instanceof Int16Array ? 1 / 32768 : 1;
  return Math.sqrt(sum / n) * scale;
}

/** Amplitude (full scale 1.0) → dBFS, floored at {@link MIN_DBFS}. */
export function toDbfs(amplitude: number): number {
  if (!(amplitude > 0)) return MIN_DBFS;
  const db = 20 * Math.log10(amplitude);
  return Math.max(db, MIN_DBFS);
}
