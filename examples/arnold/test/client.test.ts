// arnold-client as a user runs it: a child process talking to a real Arnold server over loopback, with the
// @voxwire/wasapi null backend standing in for the sound card.
import { join } from 'node:path';
import { tone } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmsDbfs, VolumeMeter } from '../src/client/meter.js';
import { type Arnold, startArnold } from '../src/server.js';
import { killClients, runClient } from './cli-process.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;

beforeAll(async () => {
  arnold = await startArnold({ port: 0, dbPath: join(tmp.dir, 'arnold.db'), pacing: 'fast', log: () => {} });
});

afterAll(async () => {
  killClients();
  await arnold?.close();
  tmp.remove();
});

describe('arnold-client', () => {
  it('text fallback: typed lines are answered, then it exits at the end of input', {
    timeout: 120000,
  }, async () => {
    const run = runClient(arnold.url, ['--text']);
    await run.waitFor('stdout', /Connected \(text mode\)/);
    run.child.stdin.write('I just did 5 reps of deadlift at 315 pounds\n');
    run.child.stdin.end('show me my recent workouts\n');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('arnold: Logged 5 reps of deadlift at 315 pounds.');
    expect(run.stdout()).toMatch(/arnold: Your recent workouts: 5 reps of deadlift at 315 pounds/);
    expect(arnold.store.recentWorkouts(1)[0]).toMatchObject({ exercise: 'deadlift', reps: 5, weight: 315 });
  });

  it('plays Arnold through the audio device and shuts down cleanly on Ctrl-C', {
    timeout: 120000,
  }, async () => {
    const run = runClient(arnold.url, [
      '--audio-backend',
      'null',
      '--input-device',
      'null:silence',
      '--meter',
    ]);
    await run.waitFor('stdout', /Connected\. Speak, or type/);
    await run.waitFor('stderr', /mic \[-+\]\s+-∞ dBFS/);
    run.child.stdin.write('show me my recent workouts\n');
    await run.waitFor('stdout', /arnold: Your recent workouts/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // Arnold's audio arrives before the text of the same response, so it has all been handed to the speaker.
    const played = run.stdout().match(/bye \(received ([\d.]+) s/);
    expect(Number(played?.[1])).toBeGreaterThan(0.5);
  });

  it('with piped input, plays the whole answer through the device before leaving', {
    timeout: 120000,
  }, async () => {
    const run = runClient(arnold.url, [
      '--audio-backend',
      'null',
      '--input-device',
      'null:silence',
      '--no-meter',
    ]);
    await run.waitFor('stdout', /Connected\. Speak, or type/);
    run.child.stdin.end('what is my curl progress\n');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('arnold: You have not logged any curl yet.');
    const m = run.stdout().match(/bye \(received ([\d.]+) s of Arnold's voice, played ([\d.]+) s\)/);
    expect(Number(m?.[1])).toBeGreaterThan(1);
    // The null device played it in real time, all of it (to the 0.1 s shown).
    expect(Number(m?.[2])).toBeGreaterThanOrEqual(Number(m?.[1]) - 0.1);
  });

  it('shows the microphone level on the volume meter', { timeout: 120000 }, async () => {
    const run = runClient(arnold.url, [
      '--audio-backend',
      'null',
      '--input-device',
      'null:tone-440',
      '--meter',
    ]);
    // The virtual microphone's 440 Hz tone: -20 dBFS peak is -23 dBFS RMS.
    await run.waitFor('stderr', /mic \[#{15,22}-+\]\s+-2[234] dBFS/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('bye');
  });

  it('meter levels: silence, full scale, -20 dBFS sine', () => {
    expect(rmsDbfs(new Int16Array(480))).toBe(Number.NEGATIVE_INFINITY);
    expect(rmsDbfs(new Int16Array(480).fill(32767))).toBeCloseTo(0, 1);
    const sine = tone(440, 24000, 2400, 0.1);
    expect(rmsDbfs(sine)).toBeCloseTo(-23, 0);
    const meter = new VolumeMeter(10);
    meter.push(sine);
    expect(meter.render()).toBe('mic [######----]  -23 dBFS');
    expect(meter.render()).toBe('mic [----------]   -∞ dBFS');
  });
});
