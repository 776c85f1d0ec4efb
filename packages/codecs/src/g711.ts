import { AudioFormatError } from './errors.js';

/**
 * One G.711 companding law: whole-buffer encode/decode with optional caller buffers, plus single-sample
 * helpers and the code that decodes to true silence.
 */
export interface G711Law {
  /**
   * Compands 16-bit PCM to 8-bit codes, bit-exact to ITU-T G.191 `g711.c`.
   * @param pcm - Int16 samples (any channel layout; each sample is coded independently)
   * @param out - optional output buffer of at least `pcm.length` bytes, reused on hot paths
   * @returns `out` itself when its length equals `pcm.length`, a view of its first `pcm.length` bytes when
   *   longer, or a new array when no `out` is given
   * @throws AudioFormatError when `out` is too small
   */
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  /**
   * Expands 8-bit codes to 16-bit PCM, bit-exact to ITU-T G.191 `g711.c`.
   * @param codes - one byte per sample
   * @param out - optional output buffer of at least `codes.length` samples
   * @returns `out` (or a view of its head) when given, else a new array
   * @throws AudioFormatError when `out` is too small
   */
  decode(codes: Uint8Array, out?: Int16Array): Int16Array;
  /** Encodes one sample (the integer part of `sample`, clamped to the Int16 range). */
  encodeSample(sample: number): number;
  /** Decodes one code (its low 8 bits). */
  decodeSample(code: number): number;
  /** The code that decodes to 0: use it, not `0x00` or `0x80`, to pad or fill silence. */
  readonly silence: number;
}

// Tables, built once at module load from the segment arithmetic of G.711 (Table 1/G.711 and 2/G.711).
// G.191 mu-law only looks at the 14 most significant bits of its input and A-law at the 13 most
// significant, so the encoders are indexed by `pcm >> 2` and `pcm >> 4` (negative values wrap into the
// upper half of the table through the mask).
const MULAW_ENCODE = new Uint8Array(1 << 14);
const MULAW_DECODE = new Int16Array(256);
const ALAW_ENCODE = new Uint8Array(1 << 12);
const ALAW_DECODE = new Int16Array(256);

function buildTables(): void {
  for (let k = 0; k < 1 << 14; k++) {
    const s = k >= 1 << 13 ? k - (1 << 14) : k; // signed 14-bit value of pcm >> 2
    // G.191 takes the one's complement of negative input (so -1 and 0 share a magnitude) and biases by 33.
    const magnitude = Math.min((s < 0 ? ~s : s) + 33, 0x1fff);
    const segment = 33 - Math.clz32(magnitude >> 6); // 1..8
    const code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 15));
    MULAW_ENCODE[k] = s >= 0 ? code | 0x80 : code;
  }
  for (let k = 0; k < 1 << 12; k++) {
    const s = k >= 1 << 11 ? k - (1 << 12) : k; // signed 12-bit value of pcm >> 4
    const magnitude = s < 0 ? ~s : s; // 0..2047
    let code: number;
    if (magnitude < 16) {
      code = magnitude;
    } else {
      const exponent = 28 - Math.clz32(magnitude); // 1..7: position of the leading one above bit 3
      code = (exponent << 4) | ((magnitude >> (exponent - 1)) & 15);
    }
    ALAW_ENCODE[k] = (s >= 0 ? code | 0x80 : code) ^ 0x55;
  }
  for (let c = 0; c < 256; c++) {
    const inverted = ~c & 0xff;
    const exponent = (inverted >> 4) & 7;
    const mantissa = inverted & 15;
    const magnitude = ((2 * mantissa + 33) << (exponent + 2)) - 132;
    MULAW_DECODE[c] = c & 0x80 ? magnitude : -magnitude;

    const a = (c ^ 0x55) & 0x7f;
    const aExp = a >> 4;
    const aMant = aExp > 0 ? (a & 15) + 16 : a & 15;
    const aMag = ((aMant << 4) + 8) << (aExp > 1 ? aExp - 1 : 0);
    ALAW_DECODE[c] = c & 0x80 ? aMag : -aMag;
  }
}
buildTables();

function checkOut(kind: string, have: number, need: number): void {
  if (have < need) throw new AudioFormatError(`${kind} output buffer holds ${have} samples, need ${need}`);
}

function clampToInt16(sample: number): number {
  const v = Math.trunc(sample);
  // NaN fails both comparisons and `| 0` turns it into 0.
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v | 0;
}

/** ITU-T G.711 mu-law (North America, Japan; Twilio `audio/x-mulaw`), bit-exact to G.191. */
export const mulaw: G711Law = {
  encode(pcm, out) {
    const n = pcm.length;
    const dst = out ?? new Uint8Array(n);
    checkOut('mu-law encode', dst.length, n);
    const table = MULAW_ENCODE;
    for (let i = 0; i < n; i++) dst[i] = table[(pcm[i] >> 2) & 0x3fff];
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  decode(codes, out) {
    const n = codes.length;
    const dst = out ?? new Int16Array(n);
    checkOut('mu-law decode', dst.length, n);
    const table = MULAW_DECODE;
    for (let i = 0; i < n; i++) dst[i] = table[codes[i]];
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  encodeSample: (sample) => MULAW_ENCODE[(clampToInt16(sample) >> 2) & 0x3fff],
  decodeSample: (code) => MULAW_DECODE[code & 0xff],
  silence: 0xff,
};

/** ITU-T G.711 A-law (Europe and most of the world), bit-exact to G.191. */
export const alaw: G711Law = {
  encode(pcm, out) {
    const n = pcm.length;
    const dst = out ?? new Uint8Array(n);
    checkOut('A-law encode', dst.length, n);
    const table = ALAW_ENCODE;
    for (let i = 0; i < n; i++) dst[i] = table[(pcm[i] >> 4) & 0xfff];
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  decode(codes, out) {
    const n = codes.length;
    const dst = out ?? new Int16Array(n);
    checkOut('A-law decode', dst.length, n);
    const table = ALAW_DECODE;
    for (let i = 0; i < n; i++) dst[i] = table[codes[i]];
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  encodeSample: (sample) => ALAW_ENCODE[(clampToInt16(sample) >> 4) & 0xfff],
  decodeSample: (code) => ALAW_DECODE[code & 0xff],
  silence: 0xd5,
};
