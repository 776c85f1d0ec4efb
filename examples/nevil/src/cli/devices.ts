// `pnpm --filter nevil devices [index|id]`: the design's Example 5. Lists the input devices; with an argument,
// records one second from that device and prints its level.
import { AudioCaptureManager, listAudioDevices } from '../index.js';

for (const d of listAudioDevices()) {
  console.log(
    `[${d.index}] ${d.name} (${d.id}${d.isDefault ? ', default' : ''}${d.isMonitor ? ', monitor' : ''})`,
  );
}
const pick = process.argv[2];
if (pick !== undefined) {
  const byIndex = /^\d+$/.test(pick);
  let peak = 0;
  const manager = new AudioCaptureManager(byIndex ? { deviceIndex: Number(pick) } : { deviceId: pick }, {
    onVolumeChange: (v) => {
      peak = Math.max(peak, v);
    },
  });
  manager.initialize();
  manager.startRecording();
  setTimeout(() => {
    const s = manager.getStats();
    manager.dispose();
    console.log(`recorded 1 s from ${s.deviceId}: ${s.totalSamples} samples, peak level ${peak.toFixed(3)}`);
  }, 1000);
}
