import { floatToInt16, int16ToFloat } from '@voxwire/codecs';
import { measure, type Suite, table } from '../suite.js';

// Baseline: the obvious per-call-allocating conversion most code writes inline.
function naiveFloatToInt16(input: Float32Array): Int16Array {
  return Int16Array.from(input, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
}

const suite: Suite = {
  id: 'pcm',
  title: 'PCM Float32 ⇄ Int16 (@voxwire/codecs)',
  async run() {
    const n = 960;
    const f = new Float32Array(n).map((_, i) => Math.sin(i / 7) * 0.8);
    const i16 = new Int16Array(n);
    const f32 = new Float32Array(n);
    const res = await measure({
      'voxwire floatToInt16 (reused buffer)': () => floatToInt16(f, i16),
      'voxwire int16ToFloat (reused buffer)': () => int16ToFloat(i16, f32),
      'naive Int16Array.from + Math.round': () => naiveFloatToInt16(f),
    });
    const base = res[2].hz;
    return table(
      ['task (960-sample frame)', 'M samples/s', 'vs naive'],
      res.map((r) => [r.name, (r.hz * n) / 1e6, `${(r.hz / base).toFixed(1)}×`]),
    );
  },
};
export default suite;
