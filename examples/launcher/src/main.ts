// `npm start` at the repository root lands here. Until the agents exist it runs a small codec demo:
// a 440 Hz tone through Float32 → Int16 → Float32, with its level measured at each step.
import { floatToInt16, int16ToFloat } from '@voxwire/codecs';

const rate = 24000;
const tone = new Float32Array(rate);
for (let i = 0; i < tone.length; i++) tone[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate);

const rmsDb = (x: ArrayLike<number>, scale: number) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] / scale) ** 2;
  return 20 * Math.log10(Math.sqrt(s / x.length));
};

const pcm = floatToInt16(tone);
const back = int16ToFloat(pcm);
let maxErr = 0;
for (let i = 0; i < tone.length; i++) maxErr = Math.max(maxErr, Math.abs(tone[i] - back[i]));
console.log('voxwire demo: 1 s of 440 Hz at 24 kHz');
console.log(`  float level   ${rmsDb(tone, 1).toFixed(2)} dBFS`);
console.log(`  int16 level   ${rmsDb(pcm, 32768).toFixed(2)} dBFS`);
console.log(`  round trip    max error ${(maxErr * 32768).toFixed(2)} LSB`);
