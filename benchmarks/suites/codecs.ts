import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import lsr from '@alexanderolsen/libsamplerate-js';
import {
  alaw,
  mulaw,
  OpusDecoder,
  OpusEncoder,
  RESAMPLER_QUALITY,
  Resampler,
  type ResamplerQuality,
} from '@voxwire/codecs';
import { tone, toneAmplitude, toneFloat32 } from '@voxwire/test-support';
import alawmulaw from 'alawmulaw';
import waveResampler from 'wave-resampler';
import { measure, type Suite, table } from '../suite.js';

const waveResample = waveResampler.resample;

// ---------------------------------------------------------------------------------------------- G.711

async function g711Section(): Promise<string> {
  // Mismatches against G.191 over the whole input range. voxwire's codecs are proven bit-exact to a
  // transcription of G.191 g711.c in packages/codecs/test/g711.test.ts, so they serve as the reference here.
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const mismatch = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let n = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
    return n;
  };
  const exact = [
    ['mu-law', mulaw, alawmulaw.mulaw],
    ['A-law', alaw, alawmulaw.alaw],
  ] as const;
  const mismatchRows = exact.map(([name, ours, theirs]) => {
    const theirCodes = theirs.encode(all);
    const ourCodes = ours.encode(all);
    const enc = mismatch(theirCodes, ourCodes);
    let negative = 0;
    for (let i = 0; i < all.length; i++) if (theirCodes[i] !== ourCodes[i] && all[i] < 0) negative++;
    const firstBad = all.find((v, i) => theirs.encode(all.subarray(i, i + 1))[0] !== ours.encodeSample(v));
    return [
      name,
      `${enc} / 65536 (${negative} on negative inputs)`,
      `${mismatch(theirs.decode(codes), ours.decode(codes))} / 256`,
      firstBad === undefined ? '—' : String(firstBad),
    ];
  });

  const n = 8000; // one second at 8 kHz per call
  const pcm = Int16Array.from({ length: n }, (_, i) =>
    Math.round(12000 * Math.sin(i / 5) + 3000 * Math.sin(i / 1.3)),
  );
  const ulawCodes = mulaw.encode(pcm);
  const alawCodes = alaw.encode(pcm);
  const outCodes = new Uint8Array(n);
  const outPcm = new Int16Array(n);
  const res = await measure({
    'voxwire mulaw.encode (reused out)': () => mulaw.encode(pcm, outCodes),
    'alawmulaw mulaw.encode': () => alawmulaw.mulaw.encode(pcm),
    'voxwire mulaw.decode (reused out)': () => mulaw.decode(ulawCodes, outPcm),
    'alawmulaw mulaw.decode': () => alawmulaw.mulaw.decode(ulawCodes),
    'voxwire alaw.encode (reused out)': () => alaw.encode(pcm, outCodes),
    'alawmulaw alaw.encode': () => alawmulaw.alaw.encode(pcm),
    'voxwire alaw.decode (reused out)': () => alaw.decode(alawCodes, outPcm),
    'alawmulaw alaw.decode': () => alawmulaw.alaw.decode(alawCodes),
  });
  // Telephony frames: 160 samples (20 ms at 8 kHz) per call, where per-call overhead matters.
  const f = 160;
  const pcmF = pcm.subarray(0, f);
  const codesF = ulawCodes.subarray(0, f);
  const outCodesF = new Uint8Array(f);
  const outPcmF = new Int16Array(f);
  const frameRes = await measure({
    'voxwire mulaw.encode, 160-sample frame (reused out)': () => mulaw.encode(pcmF, outCodesF),
    'alawmulaw mulaw.encode, 160-sample frame': () => alawmulaw.mulaw.encode(pcmF),
    'voxwire mulaw.decode, 160-sample frame (reused out)': () => mulaw.decode(codesF, outPcmF),
    'alawmulaw mulaw.decode, 160-sample frame': () => alawmulaw.mulaw.decode(codesF),
  });
  const speedRows = res.map((r, i) => {
    const peer = res[i % 2 === 0 ? i + 1 : i];
    return [r.name, (r.hz * n) / 1e6, i % 2 === 0 ? `${(r.hz / peer.hz).toFixed(1)}×` : '1.0×'];
  });
  frameRes.forEach((r, i) => {
    const peer = frameRes[i % 2 === 0 ? i + 1 : i];
    speedRows.push([r.name, (r.hz * f) / 1e6, i % 2 === 0 ? `${(r.hz / peer.hz).toFixed(1)}×` : '1.0×']);
  });
  return [
    '### G.711 throughput (8000-sample calls, then 160-sample telephony frames)',
    '',
    table(['task', 'M samples/s', 'vs alawmulaw'], speedRows),
    '',
    '### G.711 exactness vs ITU-T G.191 (`g711.c`)',
    '',
    'voxwire: 0 mismatches (tested over the full range in `packages/codecs/test/g711.test.ts`).',
    '',
    table(
      ['law', 'alawmulaw encode mismatches', 'alawmulaw decode mismatches', 'first differing input'],
      mismatchRows,
    ),
  ].join('\n');
}

// ------------------------------------------------------------------------------------------ Resampler

type Convert = (input: Float32Array) => Float32Array;
interface Candidate {
  name: string;
  /** Makes a fresh streaming converter for one rate pair, or null when the peer cannot do it. */
  make(from: number, to: number): Promise<Convert | null>;
}

const lsrTypes = [
  ['SINC_FASTEST', lsr.ConverterType.SRC_SINC_FASTEST],
  ['SINC_MEDIUM', lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY],
  ['SINC_BEST', lsr.ConverterType.SRC_SINC_BEST_QUALITY],
] as const;

function voxwire(quality: ResamplerQuality): Candidate {
  return {
    name: `voxwire Resampler '${quality}'`,
    async make(from, to) {
      const r = new Resampler({ inputRate: from, outputRate: to, quality });
      return (x) => {
        const out = r.process(x);
        const tail = r.flush('float32');
        const all = new Float32Array(out.length + tail.length);
        all.set(out);
        all.set(tail, out.length);
        return all;
      };
    },
  };
}

const candidates: Candidate[] = [
  voxwire('medium'),
  voxwire('high'),
  voxwire('low'),
  ...lsrTypes.map(([label, type]) => ({
    name: `libsamplerate-js ${label}`,
    async make(from: number, to: number): Promise<Convert> {
      const src = await lsr.create(1, from, to, { converterType: type });
      return (x: Float32Array) => src.simple(x);
    },
  })),
  {
    name: 'wave-resampler sinc (+FIR LPF)',
    async make(from, to) {
      return (x) =>
        Float32Array.from(waveResample(x, from, to, { method: 'sinc', LPF: true, LPFType: 'FIR' }));
    },
  },
  ...(['-h', '-v'] as const).map((flag) => ({
    name: `sox rate ${flag} (native, child process)`,
    async make(from: number, to: number): Promise<Convert | null> {
      if (!hasSox()) return null;
      return (x: Float32Array) => {
        const raw = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-c', '1'];
        const out = execFileSync(
          'sox',
          [...raw, '-r', String(from), '-', ...raw, '-r', String(to), '-', 'rate', flag],
          {
            input: Buffer.from(x.buffer, x.byteOffset, x.byteLength),
            maxBuffer: 64 << 20,
          },
        );
        return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
      };
    },
  })),
];

let soxChecked: boolean | undefined;
function hasSox(): boolean {
  if (soxChecked === undefined) {
    try {
      execFileSync('sox', ['--version'], { stdio: 'ignore' });
      soxChecked = true;
    } catch {
      soxChecked = false;
    }
  }
  return soxChecked;
}

/**
 * Worst unwanted output (aliases or images) in dB relative to the input tone, over tones on a 5 Hz grid
 * (coherent in a 0.2 s window, so no analysis window is needed), measured mid-stream.
 */
async function rejection(c: Candidate, from: number, to: number) {
  const convert = await c.make(from, to);
  if (!convert) return null;
  const lowNyq = Math.min(from, to) / 2;
  const grid = (lo: number, hi: number, k: number) =>
    Array.from({ length: k }, (_, i) => Math.round((lo + ((hi - lo) * i) / (k - 1)) / 5) * 5);
  const n = Math.round(to * 0.2);
  const measureTone = (f: number) => {
    const out = convert(toneFloat32(f, from, from * 0.8));
    const start = Math.round(to * 0.3);
    let total = 0;
    for (let i = start; i < start + n; i++) total += out[i] * out[i];
    total /= n;
    const inBand = f < to / 2 ? toneAmplitude(out, f, to, { start, length: n }) ** 2 / 2 : 0; // power = amplitude² / 2;
    return { total, inBand };
  };
  let worstAny = -Infinity;
  let worstPassband = -Infinity;
  // Tones whose alias/image can appear: above the output Nyquist (down) or any input tone (up).
  const tones = from > to ? grid(to / 2 + 5, from / 2 - 5, 9) : grid(20, from / 2 - 5, 9);
  for (const f of tones) {
    const { total, inBand } = measureTone(f);
    const unwanted = 10 * Math.log10(Math.max(total - inBand, 1e-30) / 0.125);
    worstAny = Math.max(worstAny, unwanted);
    // Aliases landing in the passband (tone ≥ 1.1 × lower Nyquist) / images of passband tones (≤ 0.9).
    if (from > to ? f >= 2 * lowNyq - 0.9 * lowNyq : f <= 0.9 * lowNyq)
      worstPassband = Math.max(worstPassband, unwanted);
  }
  const gains = grid(40, 0.9 * lowNyq, 7).map((f) => {
    const { inBand } = measureTone(f);
    return 10 * Math.log10(inBand / 0.125);
  });
  const ripple = Math.max(...gains) - Math.min(...gains);
  return { worstAny, worstPassband, ripple };
}

const PAIRS = [
  [48000, 16000],
  [24000, 8000],
  [8000, 24000],
] as const;

async function resamplerSection(): Promise<string> {
  const speedRows: (string | number)[][] = [];
  for (const [from, to] of PAIRS) {
    // Streaming in 20 ms chunks, the way calls deliver audio; each converter keeps its state across calls.
    const chunk = toneFloat32(440, from, from * 0.02);
    const chunk16 = Int16Array.from(chunk, (v) => Math.round(v * 32767));
    const ours = new Resampler({ inputRate: from, outputRate: to });
    const ours16 = new Resampler({ inputRate: from, outputRate: to });
    const outF = new Float32Array(ours.maxOutputLength(chunk.length));
    const tasks: Record<string, () => void> = {
      "voxwire 'medium' Float32 (reused out)": () => ours.process(chunk, outF),
      "voxwire 'medium' Int16 (fresh array)": () => ours16.process(chunk16),
    };
    const lowQ = new Resampler({ inputRate: from, outputRate: to, quality: 'low' });
    const outLow = new Float32Array(lowQ.maxOutputLength(chunk.length));
    tasks["voxwire 'low' Float32 (reused out)"] = () => lowQ.process(chunk, outLow);
    for (const [label, type] of lsrTypes) {
      const src = await lsr.create(1, from, to, { converterType: type });
      const dst = new Float32Array(chunk.length * 4);
      tasks[`libsamplerate-js ${label} full()`] = () => src.full(chunk, dst);
    }
    tasks['wave-resampler sinc (stateless)'] = () =>
      waveResample(chunk, from, to, { method: 'sinc', LPF: true, LPFType: 'FIR' });
    const res = await measure(tasks, { timeMs: 400, warmupMs: 100 });
    const base = res.find((r) => r.name.includes('SINC_FASTEST'))!.hz;
    for (const r of res) {
      speedRows.push([
        `${from / 1000}k→${to / 1000}k`,
        r.name,
        (r.hz * chunk.length) / 1e6,
        `${(r.hz / base).toFixed(2)}×`,
      ]);
    }
  }

  const qualityRows: (string | number)[][] = [];
  for (const [from, to] of PAIRS) {
    for (const c of candidates) {
      const r = await rejection(c, from, to);
      if (!r) {
        qualityRows.push([`${from / 1000}k→${to / 1000}k`, c.name, 'n/a', 'n/a', 'n/a']);
        continue;
      }
      // Beyond 200 dB the output in the window is numerically zero: say so rather than print a clamp value.
      const dB = (v: number) => (-v > 200 ? '> 200 dB (no output)' : `${(-v).toFixed(1)} dB`);
      qualityRows.push([
        `${from / 1000}k→${to / 1000}k`,
        c.name,
        dB(r.worstAny),
        dB(r.worstPassband),
        `${r.ripple.toFixed(3)} dB`,
      ]);
    }
  }
  const spec = RESAMPLER_QUALITY.medium;
  return [
    '### Resampler throughput (streaming 20 ms chunks, input samples/s)',
    '',
    table(['pair', 'task', 'M samples/s', 'vs libsamplerate-js FASTEST'], speedRows),
    '',
    '### Resampler alias/image rejection and passband ripple',
    '',
    `Sine tones on a 5 Hz grid, 0.8 s each, measured on a 0.2 s mid-stream window (coherent, no analysis window).`,
    `"any tone": worst unwanted output over tones from the output Nyquist up to the input Nyquist (down-sampling)`,
    `or over all input tones (up-sampling), relative to the input tone. "into passband": only aliases that land`,
    `below 90 % of the lower Nyquist frequency / images of tones below it. Ripple: max − min gain of tones up to`,
    `90 % of the lower Nyquist frequency. voxwire 'medium' is designed for ${spec.attenuationDb} dB from`,
    `${spec.stopband * 100} % and a passband to ${spec.passband * 100} %. libsamplerate's sinc converters trade`,
    `passband width for speed (FASTEST: 80 % bandwidth).`,
    '',
    table(
      ['pair', 'resampler', 'rejection, any tone', 'rejection, into passband', 'ripple to 0.9·Nyq'],
      qualityRows,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------- Opus

async function opusSection(): Promise<string> {
  const frame = tone(440, 48000, 960, 8000 / 32767);
  const tasks: Record<string, () => void> = {};
  const rows: (string | number)[][] = [];
  const backends = ['opusscript', '@discordjs/opus'] as const;
  const available: string[] = [];
  for (const backend of backends) {
    try {
      const enc = new OpusEncoder({ sampleRate: 48000, frameMs: 20, bitrate: 32000, backend });
      const dec = new OpusDecoder({ sampleRate: 48000, backend });
      const packet = enc.encode(frame);
      tasks[`encode 20 ms mono 48 kHz via ${backend}`] = () => enc.encode(frame);
      tasks[`decode 20 ms mono 48 kHz via ${backend}`] = () => dec.decode(packet);
      available.push(backend);
    } catch (err) {
      rows.push([`${backend}`, `not available: ${(err as Error).message}`, '', '']);
    }
  }
  // The raw native binding, to show the wrapper's own cost.
  try {
    const require = createRequire(import.meta.url);
    const { OpusEncoder: Raw } = require('@discordjs/opus') as {
      OpusEncoder: new (
        r: number,
        c: number,
      ) => { encode(b: Buffer): Buffer; decode(b: Buffer): Buffer; setBitrate(b: number): void };
    };
    const raw = new Raw(48000, 1);
    raw.setBitrate(32000);
    const buf = Buffer.from(frame.buffer);
    const packet = raw.encode(buf);
    tasks['encode, raw @discordjs/opus'] = () => raw.encode(buf);
    tasks['decode, raw @discordjs/opus'] = () => raw.decode(packet);
  } catch {
    // Not installed: the row above already says so.
  }
  const res = await measure(tasks, { timeMs: 400, warmupMs: 100 });
  for (const r of res) rows.push([r.name, r.meanUs, r.p50Us, r.p99Us]);
  return [
    '### Opus (voxwire OpusEncoder/OpusDecoder on each backend)',
    '',
    `Backends available in this run: ${available.join(', ') || 'none'}.`,
    '',
    table(['task', 'mean µs', 'p50 µs', 'p99 µs'], rows),
  ].join('\n');
}

const suite: Suite = {
  id: 'codecs',
  title: 'Codecs: G.711, resampler, Opus (@voxwire/codecs)',
  async run() {
    return [await g711Section(), await resamplerSection(), await opusSection()].join('\n\n');
  },
};
export default suite;
