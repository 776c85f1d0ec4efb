// "Use it for real" (README) as far as this machine allows: no OpenAI here, so `pnpm start` is pointed with
// REALTIME_URL at a local realtime server that, like OpenAI, refuses a connection without the right key, and
// is given its microphone with NEVIL_DEVICE. The key must reach the server, a wrong one must end the program
// with a message (not a stack trace), and the chosen device must be the one recorded.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '@voxwire/realtime-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse } from './pulse.js';
import { makeSpeech, type SpeechFile, until } from './speech.js';

const KEY = 'sk-nevil-test';
let pulse: TestPulse;
let speech: SpeechFile;
let server: RealtimeServer;

beforeAll(async () => {
  pulse = await startTestPulse('nevil_real');
  speech = makeSpeech('Hello Nevil. Please turn left.');
  server = await createRealtimeServer({
    port: 0,
    pacing: 'fast',
    apiKeys: [KEY],
    engines: {
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([{ text: 'Turning left.' }]),
    },
  });
});
afterAll(async () => {
  await server?.close();
  await pulse?.stop();
});

function start(env: Record<string, string>) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, NEVIL_SECONDS: '20', REALTIME_URL: server.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { out: '', exited: new Promise<number | null>((r) => child.once('exit', r)), child };
  child.stdout.on('data', (d: Buffer) => {
    run.out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    run.out += d.toString();
  });
  return run;
}

describe('pnpm start with a key, a model URL and a device', () => {
  it('sends OPENAI_API_KEY, records NEVIL_DEVICE and gets an answer', { timeout: 90_000 }, async () => {
    const run = start({ OPENAI_API_KEY: KEY, NEVIL_DEVICE: `${pulse.sink}.monitor` });
    try {
      await until(() => run.out.includes('speak now'), 'the agent to start', 60_000);
      expect(run.out).toContain(`connected to ${server.url}`);
      expect(run.out).toContain(`recording from ${pulse.sink}.monitor (pulse) at 24000 Hz`);
      await pulse.play(speech.path);
      await until(() => /response completed/.test(run.out), 'the model to answer', 60_000);
      expect(run.out).toContain('model: Turning left.');
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });

  it('ends with a message when the key is refused', { timeout: 60_000 }, async () => {
    const run = start({ OPENAI_API_KEY: 'sk-wrong' });
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.out).toMatch(/401|unauthori[sz]ed|api key/i);
    expect(run.out).toContain('nevil: cannot start:');
    expect(run.out).not.toMatch(/^\s+at /m); // no stack trace
  });
});
