// `pnpm --filter nevil meter`: the design's Example 3, a terminal volume meter. NEVIL_DEVICE picks a device id,
// NEVIL_SECONDS stops it (default: until Ctrl-C).
import { AudioCaptureManager } from '../index.js';

const width = 50;
const manager = new AudioCaptureManager(
  process.env.NEVIL_DEVICE ? { deviceId: process.env.NEVIL_DEVICE } : {},
  {
    onVolumeChange: (volume) => {
      const n = Math.round(volume * width);
      process.stdout.write(`\rVolume: ${'█'.repeat(n)}${'░'.repeat(width - n)} ${volume.toFixed(3)}`);
    },
    onError: (err) => console.error(`\n${err.message}`),
  },
);
manager.initialize();
manager.startRecording();
const stop = () => {
  manager.dispose();
  process.stdout.write('\n');
};
process.once('SIGINT', stop);
if (process.env.NEVIL_SECONDS) setTimeout(stop, Number(process.env.NEVIL_SECONDS) * 1000);
