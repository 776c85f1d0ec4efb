// ALSA xrun recovery through the ALSA "pulse" plugin into the test's private PulseAudio null sink. A
// child process (loading dist/, like lifecycle.test.ts) plays a continuous 1 kHz tone with ALSA playback;
// the test SIGSTOPs it for about a second once it plays (the device runs dry: an xrun), SIGCONTs it, and
// the child reports whether the streams keep moving. With an ALSA capture of the sink's monitor running,
// the tone must be heard again at its pitch and level; with playback alone, nothing else keeps the null
// sink at a low latency, so the sink has pre-rendered up to 2 s of silence when the plugin re-creates its
// PulseAudio stream during snd_pcm_recover (the "stall" once described in the README): playback must
// resume after it. Waits are for positions, with generous timeouts; nothing is timed.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PulseServer, startPulse } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'index.js');
const childScript = join(here, 'fixtures', 'alsa-xrun-child.mjs');

interface Level {
  hz: number;
  db: number;
}
interface Stats {
  position: number;
  xruns: number;
}
interface ChildMessage {
  event: 'playing' | 'result' | 'closed' | 'error';
  message?: string;
  startedMoving?: boolean;
  before?: Level | null;
  after?: Level | null;
  playbackMoved?: boolean;
  captureMoved?: boolean | null;
  playbackMovedAfterMs?: number;
  closeMs?: number;
  atResume?: { playback: Stats; capture: Stats | null };
  playback?: Stats;
  capture?: Stats | null;
}

let pulse: PulseServer;
beforeAll(async () => {
  pulse = await startPulse('vx_alsa_xrun');
});
afterAll(async () => {
  await pulse?.stop();
});

/** Runs the child once: stops it for `stopMs` once it plays, resumes it, and collects its messages. */
async function runChild(mode: 'capture' | 'playback-only', stopMs: number): Promise<ChildMessage[]> {
  const child: ChildProcess = spawn(process.execPath, [childScript, dist, mode, '15000'], {
    env: { ...process.env, PULSE_SERVER: pulse.server },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: ChildMessage[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let resume: NodeJS.Timeout | undefined;
  try {
    return await new Promise<ChildMessage[]>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const msg = JSON.parse(buf.slice(0, nl)) as ChildMessage;
          buf = buf.slice(nl + 1);
          messages.push(msg);
          if (msg.event === 'playing') {
            // The stop causes the xrun; its length is not measured.
            child.kill('SIGSTOP');
            resume = setTimeout(() => {
              child.kill('SIGCONT');
              child.stdin?.write('resumed\n');
            }, stopMs);
          }
        }
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (code === 0) resolve(messages);
        else reject(new Error(`child exited ${code ?? signal}: ${stderr}\n${JSON.stringify(messages)}`));
      });
    });
  } finally {
    clearTimeout(resume);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
}

/**
 * Runs the child in `mode` and checks what both modes must show: no error, playback moving before the
 * stop and again after the resume, the playback xrun counted, a clean close. Returns the child's reports.
 */
async function recoveredRun(mode: 'capture' | 'playback-only') {
  const messages = await runChild(mode, 1000);
  console.info(`alsa xrun (${mode}): ${JSON.stringify(messages)}`);
  expect(messages.filter((m) => m.event === 'error')).toEqual([]);
  const playing = messages.find((m) => m.event === 'playing');
  const result = messages.find((m) => m.event === 'result');
  expect(playing?.startedMoving).toBe(true);
  expect(result?.playbackMoved).toBe(true);
  expect(result?.playback?.xruns ?? 0).toBeGreaterThan(playing?.playback?.xruns ?? 0);
  expect(messages.some((m) => m.event === 'closed')).toBe(true);
  return { playing, result };
}

describe('alsa xrun recovery (via the ALSA pulse plugin, process stopped for ~1 s)', () => {
  it('playback and capture keep moving, the tone is heard again at its pitch, the xrun is counted', async () => {
    const { playing, result } = await recoveredRun('capture');
    // Before the stop the tone came back from the monitor.
    expect(playing?.before?.hz).toBeGreaterThan(995);
    expect(playing?.before?.hz).toBeLessThan(1005);
    // After the resume capture moved by a second of frames too…
    expect(result?.captureMoved).toBe(true);
    // …and the tone is heard again at its pitch and level (written at -9 dBFS).
    expect(result?.after?.hz).toBeGreaterThan(995);
    expect(result?.after?.hz).toBeLessThan(1005);
    expect(result?.after?.db).toBeGreaterThan(-10);
    expect(result?.after?.db).toBeLessThan(-8);
  }, 30_000);

  it('playback alone resumes after the xrun (the null sink idles up to 2 s while the plugin reconnects)', async () => {
    await recoveredRun('playback-only');
  }, 30_000);
});
