/**
 * The labelled speech set of the VAD tests and the `vad` benchmark, and the accuracy measures both print.
 *
 * A labelled speech test set made offline: espeak-ng speaks sentences (cached in the OS temp dir), sox
 * converts them to 16 kHz mono PCM, and they are laid out with silence gaps of known length. Truth labels
 * come from the energy of the clean speech; noisy versions mix deterministic white or pink noise at a given SNR
 * relative to the active speech level.
 *
 * The VAD and its segmenter are described structurally ({@link FixtureVad}, {@link FixtureSegmenterClass})
 * and the segmenter class is passed in, so test-support does not depend on @voxwire/vad (whose tests use it).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mono Int16 frame, shaped like @voxwire/codecs' `AudioFrame`. */
export interface FixtureFrame {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  readonly position: number;
}

/** What the fixtures need of a @voxwire/vad `Vad`. */
export interface FixtureVad {
  readonly frameSize: number;
  readonly sampleRate: number;
  process(frame: FixtureFrame): number | Promise<number>;
  reset(): void;
}

/** What the fixtures need of @voxwire/vad's `VadSegmenter` (pass the class itself). */
export type FixtureSegmenterClass = new (options: {
  vad: FixtureVad;
}) => {
  on(event: 'speechEnd', listener: (e: { startSample: number; endSample: number }) => void): unknown;
  push(frame: FixtureFrame): Promise<void>;
  flush(): Promise<void>;
};

export const CORPUS_RATE = 16000;

/** Sentence, voice and speaking rate: varied so the set is not one voice at one pace. */
const UTTERANCES: ReadonlyArray<{ text: string; voice: string; wpm: number }> = [
  { text: 'Please turn on the lights in the kitchen', voice: 'en-us', wpm: 165 },
  { text: 'What is the weather going to be like tomorrow morning', voice: 'en-gb', wpm: 150 },
  { text: 'Call my sister and tell her I will be late', voice: 'en-us+f3', wpm: 175 },
  { text: 'The quick brown fox jumps over the lazy dog', voice: 'en-gb-x-rp', wpm: 140 },
  { text: 'Set a timer for twelve minutes', voice: 'en-us+m3', wpm: 160 },
  { text: 'Remind me to buy bread and fresh vegetables', voice: 'en-029', wpm: 170 },
  { text: 'How far is the station from here', voice: 'en-us+f2', wpm: 155 },
  { text: 'Yes', voice: 'en-gb', wpm: 160 },
  { text: 'Stop the music and read my messages', voice: 'en-gb-scotland', wpm: 150 },
];

/** Silence before each utterance, in ms (the last value is the trailing silence). */
const GAPS_MS = [800, 700, 1200, 900, 1500, 800, 1000, 750, 1100, 900];

/** A labelled sequence of clean speech. */
export interface LabelledSpeech {
  sampleRate: number;
  /** Clean speech with silence gaps, Float32 in [-1, 1], active speech level −26 dBFS. */
  clean: Float32Array;
  /** 1 where the clean signal is speech (10 ms resolution, gaps under 200 ms bridged). */
  truth: Uint8Array;
  /** Truth utterances as [startSample, endSample), in order. */
  utterances: Array<[number, number]>;
  /** RMS of the clean signal over its speech samples. */
  speechRms: number;
}

/** Noise colours of the test set. */
export type NoiseKind = 'white' | 'pink';

function cacheDir(): string {
  const version = execFileSync('espeak-ng', ['--version'], { encoding: 'utf8' }).trim();
  const key = createHash('sha256')
    .update(JSON.stringify([version, UTTERANCES, CORPUS_RATE]))
    .digest('hex')
    .slice(0, 12);
  const dir = join(tmpdir(), `voxwire-vad-corpus-${key}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Speaks one utterance to 16 kHz Int16 PCM with espeak-ng + sox, cached on disk. */
function speak(dir: string, index: number): Int16Array {
  const u = UTTERANCES[index];
  const raw = join(dir, `u${index}.raw`);
  if (!existsSync(raw)) {
    const wav = join(dir, `u${index}.${process.pid}.wav`);
    execFileSync('espeak-ng', ['-v', u.voice, '-s', String(u.wpm), '-w', wav, u.text]);
    const tmp = `${raw}.${process.pid}`;
    execFileSync('sox', [
      wav,
      '-t',
      'raw',
      '-r',
      String(CORPUS_RATE),
      '-e',
      'signed',
      '-b',
      '16',
      '-c',
      '1',
      tmp,
    ]);
    renameSync(tmp, raw); // atomic, so parallel test files never read half a file
  }
  const bytes = readFileSync(raw);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2).slice();
}

let cached: LabelledSpeech | undefined;

/** Builds (once per process) the clean labelled sequence of all utterances. */
export function labelledSpeech(): LabelledSpeech {
  if (cached) return cached;
  const dir = cacheDir();
  const parts = UTTERANCES.map((_, i) => speak(dir, i));
  const gap = (ms: number) => Math.round((ms * CORPUS_RATE) / 1000);
  const total = parts.reduce((n, p, i) => n + p.length + gap(GAPS_MS[i]), gap(GAPS_MS[parts.length]));
  const clean = new Float32Array(total);
  let at = 0;
  parts.forEach((p, i) => {
    at += gap(GAPS_MS[i]);
    for (let j = 0; j < p.length; j++) clean[at + j] = p[j] / 32768;
    at += p.length;
  });
  const truth = labelFromEnergy(clean, CORPUS_RATE);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < total; i++) {
    if (truth[i]) {
      sum += clean[i] * clean[i];
      count++;
    }
  }
  const gain = 10 ** (-26 / 20) / Math.sqrt(sum / count);
  for (let i = 0; i < total; i++) clean[i] *= gain;
  cached = { sampleRate: CORPUS_RATE, clean, truth, utterances: regions(truth), speechRms: 10 ** (-26 / 20) };
  return cached;
}

/**
 * Truth from the clean signal: 10 ms hops whose energy is within 40 dB of the loudest hop are speech;
 * pauses shorter than 200 ms inside speech are bridged, blips shorter than 30 ms dropped.
 */
function labelFromEnergy(x: Float32Array, rate: number): Uint8Array {
  const hop = rate / 100;
  const hops = Math.ceil(x.length / hop);
  const energy = new Float64Array(hops);
  let max = 0;
  for (let h = 0; h < hops; h++) {
    let s = 0;
    const end = Math.min(x.length, (h + 1) * hop);
    for (let i = h * hop; i < end; i++) s += x[i] * x[i];
    energy[h] = s / hop;
    if (energy[h] > max) max = energy[h];
  }
  const on = new Uint8Array(hops);
  for (let h = 0; h < hops; h++) on[h] = energy[h] > max * 1e-4 ? 1 : 0;
  fillRuns(on, 0, 20); // bridge pauses < 200 ms
  fillRuns(on, 1, 3); // drop blips < 30 ms
  const truth = new Uint8Array(x.length);
  for (let h = 0; h < hops; h++) if (on[h]) truth.fill(1, h * hop, Math.min(x.length, (h + 1) * hop));
  return truth;
}

/** Flips interior runs of `value` shorter than `minLen` to the other value. */
function fillRuns(a: Uint8Array, value: number, minLen: number): void {
  let i = 0;
  while (i < a.length) {
    if (a[i] !== value) {
      i++;
      continue;
    }
    let j = i;
    while (j < a.length && a[j] === value) j++;
    const interior = i > 0 && j < a.length;
    if (interior && j - i < minLen) a.fill(1 - value, i, j);
    i = j;
  }
}

/** Runs of 1 as [start, end). */
export function regions(mask: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < mask.length) {
    if (!mask[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < mask.length && mask[j]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Unit-RMS noise, seeded: white Gaussian, or pink (Paul Kellet's filter on white). */
export function noise(kind: NoiseKind, length: number, seed: number): Float32Array {
  const rand = prng(seed);
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    let v = g;
    if (kind === 'pink') {
      b0 = 0.99886 * b0 + g * 0.0555179;
      b1 = 0.99332 * b1 + g * 0.0750759;
      b2 = 0.969 * b2 + g * 0.153852;
      b3 = 0.8665 * b3 + g * 0.3104856;
      b4 = 0.55 * b4 + g * 0.5329522;
      b5 = -0.7616 * b5 - g * 0.016898;
      v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + g * 0.5362;
      b6 = g * 0.115926;
    }
    out[i] = v;
    sum += v * v;
  }
  const k = 1 / Math.sqrt(sum / length);
  for (let i = 0; i < length; i++) out[i] *= k;
  return out;
}

/** The clean set with noise at `snrDb` (speech active level over noise RMS), as Int16 PCM. `null` → clean. */
export function noisySpeech(
  set: LabelledSpeech,
  kind: NoiseKind | null,
  snrDb: number,
  seed = 1,
): Int16Array {
  const out = new Int16Array(set.clean.length);
  const n = kind ? noise(kind, set.clean.length, seed) : null;
  const noiseRms = set.speechRms / 10 ** (snrDb / 20);
  for (let i = 0; i < out.length; i++) {
    const v = (set.clean[i] + (n ? n[i] * noiseRms : 0)) * 32768;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

/** Frame-level precision/recall/F1 plus utterance timing from the segmenter. */
export interface Accuracy {
  precision: number;
  recall: number;
  f1: number;
  /** Per truth utterance: detected start − true start, in ms (missing when the utterance was missed). */
  startErrorsMs: number[];
  /** Per truth utterance: detected end − true end, in ms. */
  endErrorsMs: number[];
  /** Truth utterances with no detected utterance overlapping them. */
  missed: number;
  /** Detected utterances overlapping no truth utterance. */
  extra: number;
}

/** Runs a VAD over whole frames of `pcm` and returns one probability per frame. */
export async function frameProbabilities(vad: FixtureVad, pcm: Int16Array): Promise<Float32Array> {
  vad.reset();
  const n = Math.floor(pcm.length / vad.frameSize);
  const out = new Float32Array(n);
  for (let f = 0; f < n; f++) {
    const data = pcm.subarray(f * vad.frameSize, (f + 1) * vad.frameSize);
    out[f] = await vad.process({
      data,
      sampleRate: vad.sampleRate,
      channels: 1,
      position: f * vad.frameSize,
    });
  }
  return out;
}

/** Precision/recall/F1 of `p ≥ threshold` per frame against the majority truth label of each frame. */
export function frameScores(probs: Float32Array, frameSize: number, truth: Uint8Array, threshold = 0.5) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let f = 0; f < probs.length; f++) {
    let ones = 0;
    for (let i = f * frameSize; i < (f + 1) * frameSize; i++) ones += truth[i];
    const isSpeech = ones * 2 >= frameSize;
    const said = probs[f] >= threshold;
    if (said && isSpeech) tp++;
    else if (said) fp++;
    else if (isSpeech) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** Utterances the segmenter finds in `pcm`, as [startSample, endSample). */
export async function segment(
  Segmenter: FixtureSegmenterClass,
  vad: FixtureVad,
  pcm: Int16Array,
  chunk = 480,
): Promise<Array<[number, number]>> {
  vad.reset();
  const seg = new Segmenter({ vad });
  const found: Array<[number, number]> = [];
  seg.on('speechEnd', (e) => found.push([e.startSample, e.endSample]));
  for (let i = 0; i < pcm.length; i += chunk) {
    await seg.push({
      data: pcm.subarray(i, i + chunk),
      sampleRate: vad.sampleRate,
      channels: 1,
      position: i,
    });
  }
  await seg.flush();
  return found;
}

/** Matches detected utterances to the truth ones (each truth to the first overlapping detection). */
export function timing(found: Array<[number, number]>, set: LabelledSpeech) {
  const ms = (samples: number) => (samples * 1000) / set.sampleRate;
  const startErrorsMs: number[] = [];
  const endErrorsMs: number[] = [];
  let missed = 0;
  const used = new Set<number>();
  for (const [ts, te] of set.utterances) {
    const i = found.findIndex(([s, e]) => s < te && e > ts);
    if (i < 0) {
      missed++;
      continue;
    }
    used.add(i);
    startErrorsMs.push(ms(found[i][0] - ts));
    endErrorsMs.push(ms(found[i][1] - te));
  }
  const extra = found.filter(
    ([s, e], i) => !used.has(i) && !set.utterances.some(([ts, te]) => s < te && e > ts),
  ).length;
  return { startErrorsMs, endErrorsMs, missed, extra };
}

/**
 * Replays probabilities computed earlier, frame by frame, so the segmenter can be timed on a VAD's output
 * without running the model twice (same rate and framing, so frame k is the same audio).
 */
export class ReplayVad implements FixtureVad {
  private next = 0;
  constructor(
    readonly frameSize: number,
    readonly sampleRate: number,
    private readonly probs: Float32Array,
  ) {}
  process(): number {
    return this.next < this.probs.length ? this.probs[this.next++] : 0;
  }
  reset(): void {
    this.next = 0;
  }
}

/** Frame scores and segmenter timing of one VAD on one condition. */
export async function accuracy(
  Segmenter: FixtureSegmenterClass,
  vad: FixtureVad,
  pcm: Int16Array,
  set: LabelledSpeech,
): Promise<Accuracy> {
  const probs = await frameProbabilities(vad, pcm);
  const scores = frameScores(probs, vad.frameSize, set.truth);
  const found = await segment(Segmenter, new ReplayVad(vad.frameSize, vad.sampleRate, probs), pcm);
  return { ...scores, ...timing(found, set) };
}

/** `mean |x|` and `max |x|` of a list of errors, for reports. */
export function summarize(errors: number[]): { meanAbs: number; maxAbs: number } {
  if (errors.length === 0) return { meanAbs: Number.NaN, maxAbs: Number.NaN };
  const abs = errors.map(Math.abs);
  return { meanAbs: abs.reduce((a, b) => a + b, 0) / abs.length, maxAbs: Math.max(...abs) };
}

/** One noise condition of the labelled set. */
export interface Condition {
  name: string;
  noise: NoiseKind | null;
  snrDb: number;
}

/** The conditions every VAD is scored on. */
export const CONDITIONS: readonly Condition[] = [
  { name: 'clean', noise: null, snrDb: Number.POSITIVE_INFINITY },
  { name: 'white 20 dB', noise: 'white', snrDb: 20 },
  { name: 'white 10 dB', noise: 'white', snrDb: 10 },
  { name: 'white 0 dB', noise: 'white', snrDb: 0 },
  { name: 'pink 20 dB', noise: 'pink', snrDb: 20 },
  { name: 'pink 10 dB', noise: 'pink', snrDb: 10 },
  { name: 'pink 0 dB', noise: 'pink', snrDb: 0 },
];

/** One VAD on one condition. */
export interface AccuracyRow {
  vad: string;
  condition: Condition;
  result: Accuracy;
}

/** Scores every VAD on every condition (utterance timing with `Segmenter`: pass @voxwire/vad's `VadSegmenter`). */
export async function accuracyTable(
  set: LabelledSpeech,
  vads: Record<string, FixtureVad>,
  Segmenter: FixtureSegmenterClass,
): Promise<AccuracyRow[]> {
  const rows: AccuracyRow[] = [];
  for (const condition of CONDITIONS) {
    const pcm = noisySpeech(set, condition.noise, condition.snrDb, 1);
    for (const [name, vad] of Object.entries(vads))
      rows.push({ vad: name, condition, result: await accuracy(Segmenter, vad, pcm, set) });
  }
  return rows;
}

/** Markdown table of the rows. */
export function formatAccuracy(rows: AccuracyRow[], set: LabelledSpeech): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
  const lines = [
    `Labelled set: ${set.utterances.length} espeak-ng utterances (9 voices/rates), ${(set.clean.length / set.sampleRate).toFixed(1)} s at 16 kHz, silence gaps 0.7–1.5 s; truth from clean-signal energy (10 ms). Frame decision: p ≥ 0.5. Timing from VadSegmenter defaults (start/end error = detected − true, mean \\|err\\| / max \\|err\\| in ms).`,
    '',
    '| VAD | condition | precision | recall | F1 | start err mean / max | end err mean / max | missed / extra |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { vad, condition, result: r } of rows) {
    const s = summarize(r.startErrorsMs);
    const e = summarize(r.endErrorsMs);
    lines.push(
      `| ${vad} | ${condition.name} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} | ${f(s.meanAbs)} / ${f(s.maxAbs)} | ${f(e.meanAbs)} / ${f(e.maxAbs)} | ${r.missed} / ${r.extra} |`,
    );
  }
  return lines.join('\n');
}
