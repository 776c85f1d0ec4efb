/** A polyphase FIR bank for rational resampling by L/M, designed as one Kaiser-windowed sinc. */
export interface PolyphaseBank {
  /** Upsampling factor (number of phases). */
  L: number;
  /** Downsampling factor. */
  M: number;
  /** Taps per phase (a multiple of 16, for the SIMD kernel). */
  K: number;
  /** L phases of K taps each, phase r at offset r*K, taps reversed so a dot product walks forward. */
  coefficients: Float32Array;
}

/** Filter specification relative to the lower of the two Nyquist frequencies. */
export interface FilterSpec {
  /** End of the passband, as a fraction of the lower Nyquist frequency. */
  passband: number;
  /** Start of the stopband, as a fraction of the lower Nyquist frequency. */
  stopband: number;
  /** Stopband attenuation to design for, in dB. */
  attenuationDb: number;
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export function kaiserBeta(attenuationDb: number): number {
  const a = attenuationDb;
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21);
  return 0;
}

/** Taps per phase the design needs; lets callers refuse ratios whose tables would be too large. */
export function tapsPerPhase(inputRate: number, outputRate: number, spec: FilterSpec): number {
  const g = gcd(inputRate, outputRate);
  const L = outputRate / g;
  const highRate = L * inputRate;
  const transitionHz = ((spec.stopband - spec.passband) * Math.min(inputRate, outputRate)) / 2;
  // Kaiser's length estimate N = (A - 7.95) / (2.285 Δω), Δω = 2π Δf / F.
  const n = (spec.attenuationDb - 7.95) / (2.285 * 2 * Math.PI * (transitionHz / highRate));
  return Math.max(16, Math.ceil(n / L / 16) * 16);
}

/**
 * Designs the prototype low-pass at the upsampled rate L·inputRate, cutoff halfway through the transition
 * band, and splits it into L phases. Each phase is normalised to unit DC gain so that a constant input comes
 * out exactly constant whatever the phase.
 */
export function designPolyphase(inputRate: number, outputRate: number, spec: FilterSpec): PolyphaseBank {
  const g = gcd(inputRate, outputRate);
  const L = outputRate / g;
  const M = inputRate / g;
  const K = tapsPerPhase(inputRate, outputRate, spec);
  const highRate = L * inputRate;
  const cutoffHz = (((spec.passband + spec.stopband) / 2) * Math.min(inputRate, outputRate)) / 2;
  const fc = (2 * cutoffHz) / highRate; // normalised to the high rate's Nyquist
  const beta = kaiserBeta(spec.attenuationDb);
  const i0Beta = besselI0(beta);
  const half = (K * L) / 2; // centre of the prototype, an integer because K is even
  const coefficients = new Float32Array(L * K);
  const phase = new Float64Array(K);
  for (let r = 0; r < L; r++) {
    let sum = 0;
    for (let i = 0; i < K; i++) {
      // Tap i of phase r multiplies x[kmax - i] and sits at prototype index r + i·L.
      const t = r + i * L - half;
      const u = t / half;
      let h = 0;
      if (u > -1 && u < 1) {
        const x = Math.PI * fc * t;
        const sinc = t === 0 ? 1 : Math.sin(x) / x;
        h = fc * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta);
      }
      phase[i] = h;
      sum += h;
    }
    for (let i = 0; i < K; i++) coefficients[r * K + (K - 1 - i)] = phase[i] / sum;
  }
  return { L, M, K, coefficients };
}
