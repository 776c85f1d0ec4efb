// Manual check of the pulse backend (not part of the test run; see README): a private PulseAudio with a null
// sink as the sound card, OpenClaw on it, a simulated caller's 1 kHz tone through the mix to the speaker and
// back from the sink's monitor as the microphone. Prints the captured level at 440/660/1000 Hz per 100 ms.
// Run: npx tsx scripts/pulse-check.ts   (needs pulseaudio and pactl)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFrame } from '@voxwire/codecs';
import { tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { startTestOpenClaw } from '../test/helpers/app.js';
import { blockLevels } from '../test/helpers/audio.js';

const dir = mkdtempSync(join(tmpdir(), 'openclaw-pulse-'));
mkdirSync(join(dir, 'home'));
mkdirSync(join(dir, 'run'), { mode: 0o700 });
const socket = join(dir, 'native');
const env = {
  ...process.env,
  HOME: join(dir, 'home'),
  XDG_RUNTIME_DIR: join(dir, 'run'),
  PULSE_SERVER: `unix:${socket}`,
};
const pulse: ChildProcess = spawn(
  'pulseaudio',
  [
    '-n',
    '--daemonize=no',
    '--exit-idle-time=-1',
    `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    '--load=module-null-sink sink_name=claw_out rate=48000 channels=2',
  ],
  { env, stdio: 'ignore' },
);
for (let i = 0; ; i++) {
  try {
    execFileSync('pactl', ['info'], { env, stdio: 'ignore' });
    break;
  } catch {
    if (i > 200) throw new Error('pulseaudio did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}
process.env.PULSE_SERVER = `unix:${socket}`;
const { app } = await startTestOpenClaw(
  {},
  { AUDIO_BACKEND: 'pulse', AUDIO_OUTPUT_DEVICE: 'claw_out', AUDIO_INPUT_DEVICE: 'claw_out.monitor' },
);
const chunks: Int16Array[] = [];
app.device?.core.capture.on('audio', (f) => chunks.push(f.data));
const sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
await sim.connect();
await new Promise((r) => setTimeout(r, 1000));
chunks.length = 0;
await sim.streamAudio(audioFrame(tone(1000, 8000, 1.5 * 8000, 0.25), 8000));
await new Promise((r) => setTimeout(r, 500));
const all = new Int16Array(chunks.reduce((a, c) => a + c.length, 0));
let o = 0;
for (const c of chunks) {
  all.set(c, o);
  o += c.length;
}
console.log('captured from the monitor (440/660/1000 Hz dBFS, rms):');
console.log(
  blockLevels(all, 48000)
    .map((b) => `${b.tones.map((t) => t.toFixed(0)).join('/')} ${b.rms.toFixed(0)}`)
    .join('\n'),
);
console.log(JSON.stringify(app.device?.core.capture.stats()));
await sim.stop();
await app.close();
pulse.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
