import { describe, expect, it } from 'vitest';
import { AudioFormatError, alaw, mulaw } from '../src/index.js';

// An independent, line-by-line transcription of the ITU-T G.191 STL reference (src/g711/g711.c,
// version 3.01: alaw_compress, alaw_expand, ulaw_compress, ulaw_expand). C `short` arithmetic is emulated
// where it matters; the loops are kept as written so the implementation's table construction is not reused.
function toShort(v: number): number {
  return (v << 16) >> 16;
}
function refAlawCompress(lin: number): number {
  let ix = lin < 0 ? toShort(~lin) >> 4 : lin >> 4;
  if (ix > 15) {
    let iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (lin >= 0) ix |= 0x0080;
  return (ix ^ 0x0055) & 0xff;
}
function refAlawExpand(log: number): number {
  let ix = log ^ 0x0055;
  ix &= 0x007f;
  const iexp = ix >> 4;
  let mant = ix & 0x000f;
  if (iexp > 0) mant = mant + 16;
  mant = (mant << 4) + 0x0008;
  if (iexp > 1) mant = mant << (iexp - 1);
  return toShort(log > 127 ? mant : -mant);
}
function refUlawCompress(lin: number): number {
  let absno = lin < 0 ? (toShort(~lin) >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const highNibble = 0x0008 - segno;
  let lowNibble = (absno >> segno) & 0x000f;
  lowNibble = 0x000f - lowNibble;
  let log = (highNibble << 4) | lowNibble;
  if (lin >= 0) log = log | 0x0080;
  return log & 0xff;
}
function refUlawExpand(log: number): number {
  const sign = log < 0x0080 ? -1 : 1;
  let mantissa = toShort(~log);
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  return toShort(sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

const ALL_PCM = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe.each([
  ['mu-law', mulaw, refUlawCompress, refUlawExpand],
  ['A-law', alaw, refAlawCompress, refAlawExpand],
] as const)('%s against the G.191 reference', (_name, law, refCompress, refExpand) => {
  it('encodes all 65,536 Int16 inputs bit-exactly', () => {
    const codes = law.encode(ALL_PCM);
    let mismatches = 0;
    for (let i = 0; i < ALL_PCM.length; i++) if (codes[i] !== refCompress(ALL_PCM[i])) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('decodes all 256 codes bit-exactly', () => {
    const pcm = law.decode(ALL_CODES);
    expect(Array.from(pcm)).toEqual(Array.from(ALL_CODES, (c) => refExpand(c)));
  });

  it('agrees with the single-sample helpers and is monotonic', () => {
    const codes = law.encode(ALL_PCM);
    const decoded = law.decode(codes);
    for (let i = 0; i < ALL_PCM.length; i += 97) {
      expect(law.encodeSample(ALL_PCM[i])).toBe(codes[i]);
      expect(law.decodeSample(codes[i])).toBe(decoded[i]);
    }
    let decreasing = 0;
    for (let i = 1; i < decoded.length; i++) if (decoded[i] < decoded[i - 1]) decreasing++;
    expect(decreasing).toBe(0);
  });

  it('re-encodes every decoded code to itself (except the duplicate zero of mu-law)', () => {
    const back = law.encode(law.decode(ALL_CODES));
    const differing = Array.from(ALL_CODES).filter((c) => back[c] !== c);
    expect(differing).toEqual(law === mulaw ? [0x7f] : []);
  });

  it('gives the same codes and samples for every alignment and length (word-at-a-time fast paths)', () => {
    const backingPcm = ALL_PCM.subarray(30000, 31100);
    const backingCodes = law.encode(ALL_PCM).subarray(30000, 31100);
    let bad = 0;
    for (const offset of [0, 1, 2, 3]) {
      for (const length of [0, 1, 3, 15, 16, 17, 255, 256, 257, 1001]) {
        const pcm = backingPcm.subarray(offset, offset + length);
        const out = new Uint8Array(length + 3).subarray(offset % 2, (offset % 2) + length);
        const codes = law.encode(pcm, out);
        for (let i = 0; i < length; i++) if (codes[i] !== law.encodeSample(pcm[i])) bad++;
        const src = backingCodes.subarray(offset, offset + length);
        const pcmOut = new Int16Array(length + 1).subarray(offset % 2, (offset % 2) + length);
        const samples = law.decode(src, pcmOut);
        for (let i = 0; i < length; i++) if (samples[i] !== law.decodeSample(src[i])) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('writes into a caller buffer without allocating a new one and rejects a short one', () => {
    const out = new Uint8Array(4);
    expect(law.encode(new Int16Array([0, 1000, -1000, 32767]), out)).toBe(out);
    const longer = new Uint8Array(8);
    const view = law.encode(new Int16Array([0, 1]), longer);
    expect(view.buffer).toBe(longer.buffer);
    expect(view.length).toBe(2);
    expect(() => law.encode(new Int16Array(5), out)).toThrow(AudioFormatError);
    expect(() => law.decode(new Uint8Array(5), new Int16Array(4))).toThrow(AudioFormatError);
  });
});

describe('G.711 known vectors', () => {
  it('mu-law: 0 → 0xFF, -1 → 0x7F (G.191), full scale and silence', () => {
    expect(mulaw.encodeSample(0)).toBe(0xff);
    expect(mulaw.encodeSample(-1)).toBe(0x7f);
    expect(mulaw.encodeSample(32767)).toBe(0x80);
    expect(mulaw.encodeSample(-32768)).toBe(0x00);
    expect(mulaw.decodeSample(0xff)).toBe(0);
    expect(mulaw.decodeSample(0x7f)).toBe(0);
    expect(mulaw.decodeSample(0x80)).toBe(32124);
    expect(mulaw.decodeSample(0x00)).toBe(-32124);
    expect(mulaw.decodeSample(mulaw.silence)).toBe(0);
    // The "0x80 padding" mistake in the agent designs: 0x80 is near full scale, not silence.
    expect(mulaw.decodeSample(0x80)).toBeGreaterThan(30000);
  });

  it('A-law: 0 → 0xD5, -1 → 0x55, full scale and silence', () => {
    expect(alaw.encodeSample(0)).toBe(0xd5);
    expect(alaw.encodeSample(-1)).toBe(0x55);
    expect(alaw.encodeSample(32767)).toBe(0xaa);
    expect(alaw.encodeSample(-32768)).toBe(0x2a);
    expect(alaw.decodeSample(0xd5)).toBe(8);
    expect(alaw.decodeSample(0x55)).toBe(-8);
    expect(alaw.decodeSample(0xaa)).toBe(32256);
    expect(alaw.decodeSample(0x2a)).toBe(-32256);
  });

  it('clamps out-of-range and NaN single samples instead of wrapping', () => {
    expect(mulaw.encodeSample(1e9)).toBe(mulaw.encodeSample(32767));
    expect(mulaw.encodeSample(-1e9)).toBe(mulaw.encodeSample(-32768));
    expect(alaw.encodeSample(Number.NaN)).toBe(alaw.encodeSample(0));
  });

  it('keeps speech-level tone SNR near the G.711 figure (~38 dB)', () => {
    const n = 8000;
    const pcm = Int16Array.from({ length: n }, (_, i) =>
      Math.round(10000 * Math.sin((2 * Math.PI * 1013 * i) / 8000)),
    );
    for (const law of [mulaw, alaw]) {
      const back = law.decode(law.encode(pcm));
      let sig = 0;
      let err = 0;
      for (let i = 0; i < n; i++) {
        sig += pcm[i] ** 2;
        err += (pcm[i] - back[i]) ** 2;
      }
      const snr = 10 * Math.log10(sig / err);
      expect(snr).toBeGreaterThan(35);
      expect(snr).toBeLessThan(42);
    }
  });
});
