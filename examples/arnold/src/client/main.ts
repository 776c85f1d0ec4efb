// arnold-client [--url http://127.0.0.1:8000] [--text] [--audio-backend pulse|null] [--input-device ID]
//               [--meter | --no-meter]
// Environment: ARNOLD_URL, ARNOLD_TOKEN (the server's token, when it has one), VOXWIRE_AUDIO_BACKEND.
import { parseArgs } from 'node:util';
import type { BackendName } from '@voxwire/wasapi';
import { ArnoldCli } from './cli.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.ARNOLD_URL ?? 'http://127.0.0.1:8000' },
    text: { type: 'boolean', default: false },
    'audio-backend': { type: 'string' },
    'input-device': { type: 'string' },
    meter: { type: 'boolean' },
    'no-meter': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'arnold-client [--url URL] [--text] [--audio-backend pulse|null] [--input-device ID] [--meter|--no-meter]',
  );
  process.exit(0);
}

const cli = new ArnoldCli({
  url: values.url,
  token: process.env.ARNOLD_TOKEN || undefined,
  audio: !values.text,
  audioBackend: values['audio-backend'] as BackendName | undefined,
  inputDevice: values['input-device'],
  meter: values['no-meter'] ? false : values.meter,
});
let quitting = false;
const quit = async (code: number) => {
  if (quitting) return;
  quitting = true;
  await cli.stop();
  process.exit(code);
};
process.once('SIGINT', () => void quit(0));
process.once('SIGTERM', () => void quit(0));
try {
  await cli.start();
} catch (err) {
  console.error(`arnold-client: cannot connect to ${values.url}: ${(err as Error).message}`);
  process.exit(1);
}
// End of piped input: wait for the answers to be given and played, then leave.
process.stdin.once('end', () => {
  void cli
    .idle()
    .then(() => cli.finishPlayback())
    .then(() => quit(0));
});
