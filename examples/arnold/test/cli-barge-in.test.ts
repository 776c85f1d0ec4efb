// Spoken barge-in through arnold-client's audio path: the client runs on a private PulseAudio server whose
// null sink "arnold_mic" is its microphone (captured from the sink's monitor) and "arnold_speaker" its
// speaker, so Arnold's voice does not leak into the microphone. While Arnold is still answering (real-time
// pacing), espeak-ng speech is played into the microphone: the server VAD hears the caller, the reply is
// cancelled and truncated where the client reported its speaker had got to (never beyond the audio sent),
// the client drops what it had queued, and the caller's request is answered.
import { join } from 'node:path';
import { type PulseServer, startPulse, waitUntil, writeSpeechWav } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arnold, startArnold } from '../src/server.js';
import { killClients, runClient } from './cli-process.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;
let pulse: PulseServer;

beforeAll(async () => {
  pulse = await startPulse('arnold_mic');
  pulse.pactl('load-module', 'module-null-sink', 'sink_name=arnold_speaker', 'rate=48000', 'channels=2');
  pulse.pactl('set-default-sink', 'arnold_speaker');
  arnold = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, 'arnold.db'),
    pacing: 'realtime', // the reply is still being spoken when the caller talks over it
    log: () => {},
  });
});

afterAll(async () => {
  killClients();
  await arnold?.close();
  await pulse?.stop();
  tmp.remove();
});

describe('arnold-client spoken barge-in', () => {
  it('caller speech while Arnold talks cancels and truncates the reply', { timeout: 120000 }, async () => {
    const bargeIn = join(tmp.dir, 'barge-in.wav');
    writeSpeechWav(bargeIn, 'show me my recent workouts');
    const run = runClient(
      arnold.url,
      ['--audio-backend', 'pulse', '--input-device', 'arnold_mic.monitor', '--no-meter'],
      { VOXWIRE_AUDIO_BACKEND: 'pulse' },
    );
    await run.waitFor('stdout', /Connected\. Speak, or type/);
    const [session] = arnold.sessions;
    let sentSamples = 0;
    session.realtime.on('audio', (frame) => {
      sentSamples += frame.data.length;
    });
    const cancelled = new Promise<string | undefined>((resolve) =>
      session.realtime.on('responseDone', (e) => {
        if (e.status !== 'completed') resolve(e.status);
      }),
    );
    // What the client had reported played when the server cut the reply.
    const atCut = new Promise<number | undefined>((resolve) =>
      session.realtime.once('interrupted', () => resolve(session.playback.positionMs)),
    );
    const truncated = new Promise<{ audio_end_ms: number; sent_ms: number }>((resolve) =>
      session.realtime.once('conversation.item.truncated', (e) =>
        resolve({ audio_end_ms: e.audio_end_ms, sent_ms: Math.floor(sentSamples / 24) }),
      ),
    );

    run.child.stdin.write('I just did 10 reps of bench press at 185 pounds\n');
    // Arnold has started answering (a third of a second sent) and the client reports what its speaker has
    // played: the caller talks over him.
    await waitUntil(
      () => sentSamples >= 8000 && (session.playback.positionMs ?? 0) > 0,
      'the start of the spoken reply, played',
      60000,
    );
    await pulse.play(bargeIn);

    expect(await cancelled).toBe('cancelled');
    const cut = await truncated;
    // Cut where the client's speaker had got to (the reply is the stream's first audio), which is no more
    // than what was sent, itself less than the whole reply (about 3 s).
    expect(cut.audio_end_ms).toBeGreaterThan(0);
    expect(cut.audio_end_ms).toBe(Math.floor(Math.min((await atCut) ?? Number.NaN, cut.sent_ms)));
    expect(cut.audio_end_ms).toBeLessThanOrEqual(cut.sent_ms);
    await run.waitFor('stdout', /\(interrupted after \d+\.\d s\)/);
    // The caller's words were heard and answered.
    await run.waitFor('stdout', /you: {4}show me my recent workouts/);
    await run.waitFor('stdout', /arnold: Your recent workouts: 10 reps of bench press/);
    expect(arnold.store.count()).toBe(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });
});
