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
  if (have < need)
    throw new AudioFormatError(
      'BUFFER_TOO_SMALL',
      `${kind} output buffer holds ${have} samples, need ${need}`,
    );
}

function clampToInt16(sample: number): number {
  const v = Math.trunc(sample);
  // NaN fails both comparisons and `| 0` turns it into 0.
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v | 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes with one table lookup per sample. On little-endian hosts with 4-byte-aligned buffers it reads two
 * samples per 32-bit load and writes four codes per 32-bit store, which roughly doubles throughput.
 * `shift` is 2 for mu-law (14-bit index) and 4 for A-law (12-bit index).
 */
function encodeWith(table: Uint8Array, shift: number, pcm: Int16Array, dst: Uint8Array, n: number): void {
  const mask = (1 << (16 - shift)) - 1;
  const high = 16 + shift;
  let i = 0;
  if (LITTLE_ENDIAN && n >= 16 && pcm.byteOffset % 4 === 0 && dst.byteOffset % 4 === 0) {
    const quads = n >> 2;
    const src32 = new Int32Array(pcm.buffer, pcm.byteOffset, quads * 2);
    const dst32 = new Uint32Array(dst.buffer, dst.byteOffset, quads);
    for (let q = 0, w = 0; q < quads; q++, w += 2) {
      const a = src32[w];
      const b = src32[w + 1];
      dst32[q] =
        table[(a >> shift) & mask] |
        (table[a >>> high] << 8) |
        (table[(b >> shift) & mask] << 16) |
        (table[b >>> high] << 24);
    }
    i = quads * 4;
  }
  for (; i < n; i++) dst[i] = table[(pcm[i] >> shift) & mask];
}

// Pair tables for decoding two codes per 16-bit load into two samples per 32-bit store (256 KiB per law,
// built on first use of a buffer long enough to benefit).
let MULAW_PAIRS: Uint32Array | null = null;
let ALAW_PAIRS: Uint32Array | null = null;
function pairTable(single: Int16Array): Uint32Array {
  const pairs = new Uint32Array(65536);
  for (let p = 0; p < 65536; p++) pairs[p] = (single[p & 0xff] & 0xffff) | (single[p >> 8] << 16);
  return pairs;
}

function decodeWith(
  single: Int16Array,
  pairs: Uint32Array | null,
  codes: Uint8Array,
  dst: Int16Array,
  n: number,
): void {
  let i = 0;
  if (pairs && codes.byteOffset % 2 === 0 && dst.byteOffset % 4 === 0) {
    const half = n >> 1;
    const src16 = new Uint16Array(codes.buffer, codes.byteOffset, half);
    const dst32 = new Uint32Array(dst.buffer, dst.byteOffset, half);
    for (let j = 0; j < half; j++) dst32[j] = pairs[src16[j]];
    i = half * 2;
  }
  for (; i < n; i++) dst[i] = single[codes[i]];
}

const PAIR_MIN = 256; // below this the plain loop wins and the pair table is not worth building

/** ITU-T G.711 mu-law (North America, Japan; Twilio `audio/x-mulaw`), bit-exact to G.191. */
export const mulaw: G711Law = {
  encode(pcm, out) {
    const n = pcm.length;
    const dst = out ?? new Uint8Array(n);
    checkOut('mu-law encode', dst.length, n);
    encodeWith(MULAW_ENCODE, 2, pcm, dst, n);
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  decode(codes, out) {
    const n = codes.length;
    const dst = out ?? new Int16Array(n);
    checkOut('mu-law decode', dst.length, n);
    if (LITTLE_ENDIAN && n >= PAIR_MIN) MULAW_PAIRS ??= pairTable(MULAW_DECODE);
    decodeWith(MULAW_DECODE, n >= PAIR_MIN ? MULAW_PAIRS : null, codes, dst, n);
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
    encodeWith(ALAW_ENCODE, 4, pcm, dst, n);
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  decode(codes, out) {
    const n = codes.length;
    const dst = out ?? new Int16Array(n);
    checkOut('A-law decode', dst.length, n);
    if (LITTLE_ENDIAN && n >= PAIR_MIN) ALAW_PAIRS ??= pairTable(ALAW_DECODE);
    decodeWith(ALAW_DECODE, n >= PAIR_MIN ? ALAW_PAIRS : null, codes, dst, n);
    return dst.length === n ? dst : dst.subarray(0, n);
  },
  encodeSample: (sample) => ALAW_ENCODE[(clampToInt16(sample) >> 4) & 0xfff],
  decodeSample: (code) => ALAW_DECODE[code & 0xff],
  silence: 0xd5,
};
