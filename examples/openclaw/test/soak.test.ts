// Ten minutes of OpenClaw in a few seconds: the mixer clock is driven by hand (30 000 frames of 20 ms) while
// virtual participants talk in bursts, join and leave every 30 s, the mix streams to a real realtime server
// (in a child process) and its answers come back into the mix, and the performance monitor reports every
// 5 s. Heap and timers after minute 3 and after minute 10 must be the same.
import { createHook } from 'node:async_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { tone } from '@voxwire/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpenClaw } from '../src/openclaw.js';
import { startTestOpenClaw } from './helpers/app.js';
import { spawnModelServer } from './helpers/model-process.js';
import { nextEvent, waitFor } from './helpers/wait.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FRAME_MS = 20;
const FRAMES = (10 * 60 * 1000) / FRAME_MS;
const MEASURE_AT = (3 * 60 * 1000) / FRAME_MS;

// Live timers, counted by async_hooks (unref'd ones too, which getActiveResourcesInfo leaves out).
const liveTimers = new Set<number>();
const timerHook = createHook({
  init(id, type) {
    if (type === 'Timeout') liveTimers.add(id);
  },
  destroy(id) {
    liveTimers.delete(id);
  },
});

function timers(): number {
  return liveTimers.size;
}

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe('OpenClaw: 10 minutes of simulated operation', () => {
  let app: OpenClaw | undefined;
  let model: Awaited<ReturnType<typeof spawnModelServer>> | undefined;
  afterAll(async () => {
    timerHook.disable();
    await app?.close();
    await model?.stop();
  });

  it('keeps memory and timers flat while participants come and go', async () => {
    timerHook.enable();
    model = await spawnModelServer();
    ({ app } = await startTestOpenClaw({ manualClock: true, device: false, realtimeUrl: model.url }));
    const router = app.router;
    // Responses the model started and finished, to measure only when none is in flight.
    const responses = { created: 0, done: 0 };
    app.realtime.on('event', (e) => {
      if (e.type === 'response.created') responses.created++;
      else if (e.type === 'response.done') responses.done++;
    });
    const realtime = app.realtime;
    /** Waits until the model has handled all the audio sent so far and finished every answer it started. */
    const modelSettled = async () => {
      realtime.flushAudio();
      // The server handles a connection's events in order: its answer to this one comes after the audio.
      const roundTrip = nextEvent<{ type: string }>(
        realtime,
        'event',
        (e) => e.type === 'session.updated',
        'session.updated',
      );
      realtime.updateSession({ instructions: realtime.sessionConfig.instructions ?? '' });
      await roundTrip;
      await waitFor(() => responses.done >= responses.created, 'the answers in flight to finish');
    };
    // 20 ms frames with whole cycles, so repeating them makes a clean tone.
    const mic = tone(450, 48000, 960, 0.25);
    const phone = tone(1000, 8000, 160, 0.25);
    const browser = tone(650, 48000, 960, 0.25);
    const silence48 = new Int16Array(960);
    const silence8 = new Int16Array(160);
    let delivered = 0;
    const perGuest = new Map<string, number>();
    const atLeave = new Map<string, number>();
    const sinkFor = (id: string) => () => {
      delivered++;
      perGuest.set(id, (perGuest.get(id) ?? 0) + 1);
    };
    router.add('mic_input', { sampleRate: 48000, send: sinkFor('mic_input') });

    let round = 0;
    let guests: string[] = [];
    let heapAt3 = 0;
    let timersAt3 = 0;
    const participantsAtStart = router.size;
    for (let f = 0; f < FRAMES; f++) {
      // Every 30 s the guests of the last round leave and two new ones join.
      if (f % 1500 === 0) {
        for (const id of guests) {
          router.remove(id);
          atLeave.set(id, perGuest.get(id) ?? 0);
        }
        round++;
        guests = [`call_v${round}`, `webrtc_v${round}`];
        router.add(guests[0] as string, {
          sampleRate: 8000,
          jitterMs: 60,
          send: sinkFor(guests[0] as string),
        });
        router.add(guests[1] as string, { sampleRate: 48000, send: sinkFor(guests[1] as string) });
      }
      // Speech-like bursts: the mic talks 1 s in 6, a guest 1 s in 6 at another moment.
      const t = f % 300;
      router.push('mic_input', t < 50 ? mic : silence48);
      router.push(guests[0] as string, t >= 150 && t < 200 ? phone : silence8);
      router.push(guests[1] as string, t >= 200 && t < 250 ? browser : silence48);
      router.tick();
      if (f % 50 === 49) await new Promise((r) => setImmediate(r)); // let the sockets move
      if (f % 250 === 249) app.metrics(); // the 5 s report (what GET /metrics and the log show)
      if (f === MEASURE_AT) {
        await modelSettled();
        heapAt3 = settledHeap();
        timersAt3 = timers();
      }
    }
    for (const id of guests) {
      router.remove(id);
      atLeave.set(id, perGuest.get(id) ?? 0);
    }
    await modelSettled();
    const heapAt10 = settledHeap();
    const timersAt10 = timers();
    const stats = router.mixer.stats();
    console.log(
      `soak: ${stats.frames} frames, ${round} rounds of guests, ${app.agent.counters.turns} turns, ` +
        `${app.agent.counters.responses} answers (${(app.agent.counters.audioMs / 1000).toFixed(1)} s), ` +
        `heap ${(heapAt3 / 1048576).toFixed(1)} → ${(heapAt10 / 1048576).toFixed(1)} MB, timers ${timersAt3} → ${timersAt10}`,
    );
    expect(stats.frames).toBe(FRAMES);
    expect(round).toBe(20);
    expect(router.size).toBe(participantsAtStart);
    expect(delivered).toBeGreaterThan(FRAMES * 2);
    expect(router.mixer.stats().inputs).toHaveLength(participantsAtStart);
    // Every guest was served while present (1500 frames) and not once after leaving.
    expect(atLeave.size).toBe(40);
    for (const [id, n] of atLeave) {
      expect(n, id).toBe(1500);
      expect(perGuest.get(id), id).toBe(n);
    }
    // The pipeline was alive all along: the model heard turns and answered.
    expect(app.agent.counters.turns).toBeGreaterThan(20);
    expect(app.agent.counters.responses).toBeGreaterThan(5);
    // Nothing grows: 7 minutes more of the same leave the heap within 2 MB and the timers as they were.
    expect(heapAt10 - heapAt3).toBeLessThan(2 * 1048576);
    expect(timersAt10).toBeLessThanOrEqual(timersAt3);
  }, 180_000);
});
