/** Frame-level and event-level accuracy of a VAD against the labelled test set. */
import { type Vad, VadSegmenter, type VadSegmenterOptions } from '../../src/index.js';
import type { LabelledSpeech } from './corpus.js';

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
export async function frameProbabilities(vad: Vad, pcm: Int16Array): Promise<Float32Array> {
  vad.reset();
  const n = Math.floor(pcm.length / vad.frameSize);
  const out = new Float32Array(n);
  for (let f = 0; f < n; f++) {
    out[f] = await vad.process(pcm.subarray(f * vad.frameSize, (f + 1) * vad.frameSize));
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
  vad: Vad,
  pcm: Int16Array,
  options: Omit<VadSegmenterOptions, 'vad'> = {},
  chunk = 480,
): Promise<Array<[number, number]>> {
  vad.reset();
  const seg = new VadSegmenter({ vad, ...options });
  const found: Array<[number, number]> = [];
  seg.on('speechEnd', (e) => found.push([e.startSample, e.endSample]));
  for (let i = 0; i < pcm.length; i += chunk) await seg.push(pcm.subarray(i, i + chunk));
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
export class ReplayVad implements Vad {
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
export async function accuracy(vad: Vad, pcm: Int16Array, set: LabelledSpeech): Promise<Accuracy> {
  const probs = await frameProbabilities(vad, pcm);
  const scores = frameScores(probs, vad.frameSize, set.truth);
  const found = await segment(new ReplayVad(vad.frameSize, vad.sampleRate, probs), pcm);
  return { ...scores, ...timing(found, set) };
}

/** `mean |x|` and `max |x|` of a list of errors, for reports. */
export function summarize(errors: number[]): { meanAbs: number; maxAbs: number } {
  if (errors.length === 0) return { meanAbs: Number.NaN, maxAbs: Number.NaN };
  const abs = errors.map(Math.abs);
  return { meanAbs: abs.reduce((a, b) => a + b, 0) / abs.length, maxAbs: Math.max(...abs) };
}
