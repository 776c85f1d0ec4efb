/** The noise conditions of the labelled test set, and the accuracy table both the tests and the benchmark print. */
import type { Vad } from '../../src/index.js';
import { type LabelledSpeech, type NoiseKind, noisySpeech } from './corpus.js';
import { type Accuracy, accuracy, summarize } from './evaluate.js';

export interface Condition {
  name: string;
  noise: NoiseKind | null;
  snrDb: number;
}

export const CONDITIONS: readonly Condition[] = [
  { name: 'clean', noise: null, snrDb: Number.POSITIVE_INFINITY },
  { name: 'white 20 dB', noise: 'white', snrDb: 20 },
  { name: 'white 10 dB', noise: 'white', snrDb: 10 },
  { name: 'white 0 dB', noise: 'white', snrDb: 0 },
  { name: 'pink 20 dB', noise: 'pink', snrDb: 20 },
  { name: 'pink 10 dB', noise: 'pink', snrDb: 10 },
  { name: 'pink 0 dB', noise: 'pink', snrDb: 0 },
];

export interface AccuracyRow {
  vad: string;
  condition: Condition;
  result: Accuracy;
}

/** Scores every VAD on every condition. */
export async function accuracyTable(set: LabelledSpeech, vads: Record<string, Vad>): Promise<AccuracyRow[]> {
  const rows: AccuracyRow[] = [];
  for (const condition of CONDITIONS) {
    const pcm = noisySpeech(set, condition.noise, condition.snrDb, 1);
    for (const [name, vad] of Object.entries(vads))
      rows.push({ vad: name, condition, result: await accuracy(vad, pcm, set) });
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
