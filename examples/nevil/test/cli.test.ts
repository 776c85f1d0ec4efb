// The runnable scripts of the design's Example 3 (volume meter) and Example 5 (device selection), run as
// `pnpm meter` / `pnpm devices` run them, against a PulseAudio null sink playing espeak-ng speech.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse } from './pulse.js';
import { makeSpeech, type SpeechFile } from './speech.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let pulse: TestPulse;
let speech: SpeechFile;

beforeAll(async () => {
  pulse = await startTestPulse('cli_sink');
  speech = makeSpeech('One two three four five six seven eight nine ten.');
});
afterAll(async () => {
  await pulse?.stop();
});

function script(file: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

describe('scripts', () => {
  it('devices lists the inputs with their index and records from the one picked', {
    timeout: 60_000,
  }, async () => {
    const { stdout } = await script('src/cli/devices.ts', ['0']);
    expect(stdout).toContain('[0] Monitor of Null Output (cli_sink.monitor, default, monitor)');
    expect(stdout).toMatch(/recorded 1 s from cli_sink\.monitor: \d+ samples, peak level 0\.000/);
  });

  it('meter draws the level of what is playing', { timeout: 60_000 }, async () => {
    // The speech plays over and over until the meter ends: the meter only prints changes of level, and on a
    // busy machine its start-up can outlast one playing.
    let metering = true;
    const playing = (async () => {
      while (metering) await pulse.play(speech.path);
    })();
    const { stdout } = await script('src/cli/meter.ts', [], { NEVIL_SECONDS: '3' }).finally(() => {
      metering = false;
    });
    await playing;
    const levels = [...stdout.matchAll(/Volume: [█░]{50} (\d\.\d{3})/g)].map((m) => Number(m[1]));
    expect(levels.length).toBeGreaterThan(10);
    expect(Math.max(...levels)).toBeGreaterThan(0.05);
  });
});
