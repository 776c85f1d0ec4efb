import { audioFrame, mulaw } from '@voxwire/codecs';
import { estimatePitchHz, tone, waitUntil } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamServer, TwilioCall, TwilioMarkResult } from '../src/index.js';
import { simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function connectedCall(options: Parameters<typeof startServer>[0] = {}) {
  const started = await startServer(options);
  server = started.server;
  const callP = new Promise<TwilioCall>((resolve) => started.server.once('call', resolve));
  const sim = simulator(started.url);
  await sim.connect();
  const call = await callP;
  await call.whenStarted();
  return { call, sim };
}

describe('marks and playback position', () => {
  it('echoes utterance marks in order and knows the played position to the frame', async () => {
    const { call, sim } = await connectedCall();
    // Utterances of awkward lengths, each its own tone so the padding can be checked byte for byte.
    const lengths = [1000, 161, 3333, 4799, 80];
    const expected: number[] = [];
    const results: Promise<TwilioMarkResult>[] = [];
    const serverMarks: { name: string; playedMs: number }[] = [];
    const samples: number[] = [];
    call.on('mark', (m) => serverMarks.push({ name: m.name, playedMs: call.playedMs() }));
    // Whenever the server learns of progress, the simulator (the truth) is within a frame of it.
    call.on('played', (ms) => samples.push(Math.abs(ms - sim.marks[sim.marks.length - 1].playedMs)));
    lengths.forEach((n, i) => {
      const pcm = tone(300 + 100 * i, 8000, n, 0.2);
      const codes = mulaw.encode(pcm);
      const padded = new Uint8Array(Math.ceil(n / 160) * 160).fill(0xff);
      padded.set(codes);
      expected.push(...padded);
      call.sendAudio(audioFrame(pcm, 8000));
      results.push(call.endUtterance(`u${i}`));
    });
    const resolved = await Promise.all(results);
    await sim.stop();

    expect(resolved.map((r) => r.name)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(resolved.every((r) => r.played)).toBe(true);
    expect(serverMarks.map((m) => m.name)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    const userMarks = sim.marks.filter((m) => m.name.startsWith('u'));
    expect(userMarks.map((m) => m.name)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    let end = 0;
    lengths.forEach((n, i) => {
      end += Math.ceil(n / 160) * 20;
      // The server's position at the echo is the utterance end; the simulator played exactly that much.
      expect(resolved[i].positionMs).toBe(end);
      expect(serverMarks[i].playedMs).toBe(end);
      expect(Math.abs(userMarks[i].playedMs - end)).toBeLessThanOrEqual(20);
    });
    expect(samples.length).toBeGreaterThan(50);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20);
    // Padding with 0xFF only at utterance ends, never inside: the heard bytes are exactly the expected ones.
    expect(Buffer.compare(Buffer.from(sim.heardMulaw()), Buffer.from(expected))).toBe(0);
  });

  it('counts an underrun when Twilio plays out an utterance that has not ended, once per gap', async () => {
    const { call, sim } = await connectedCall();
    // 200 ms of an open utterance (the model is slow to send the rest): Twilio runs dry, the caller hears a gap.
    call.sendAudio(audioFrame(tone(400, 8000, 1600, 0.2), 8000));
    await waitUntil(
      () => call.outboundStats.underruns === 1,
      'an underrun after the open utterance played out',
    );
    expect(call.playedMs()).toBe(200);
    // The rest arrives and the utterance ends: played to its end, which is no underrun.
    call.sendAudio(audioFrame(tone(400, 8000, 1600, 0.2), 8000));
    const end = await call.endUtterance('rest');
    expect(end.played).toBe(true);
    // A whole utterance sent at once plays without a gap.
    call.sendAudio(audioFrame(tone(600, 8000, 2400, 0.2), 8000));
    expect((await call.endUtterance('whole')).played).toBe(true);
    expect(call.outboundStats.underruns).toBe(1);
    expect(sim.heardMulaw().length).toBe(8000 * 0.7);
    await sim.stop();
  });

  it('clear mid-utterance stops playback within 40 ms and reports the played position', async () => {
    const { call, sim } = await connectedCall();
    const pcm = tone(500, 8000, 24_000, 0.2);
    const codes = mulaw.encode(pcm);
    call.sendAudio(audioFrame(pcm, 8000));
    const utterance = call.endUtterance('long');
    let clearedAt = -1;
    let result: ReturnType<TwilioCall['clear']> | undefined;
    call.on('played', (ms) => {
      if (ms >= 1000 && !result) {
        clearedAt = ms;
        result = call.clear();
      }
    });
    const mark = await utterance;
    await sim.until(() => sim.clears.length === 1);
    await sim.wait(500);
    const truth = sim.clears[0];
    expect(mark).toMatchObject({ name: 'long', played: false });
    expect(result).toBeDefined();
    // Reported position within a frame of what was really played.
    expect(Math.abs(result!.playedMs - truth.playedMs)).toBeLessThanOrEqual(20);
    // Playback stopped within 40 ms of the clear() call, measured on the simulator's sample clock.
    expect(truth.playedMs - clearedAt).toBeLessThanOrEqual(40);
    expect(truth.playedMs).toBeGreaterThanOrEqual(clearedAt);
    expect(result!.droppedMs + result!.playedMs).toBe(3000);
    // Nothing more played after the clear, and what played is the utterance's start, bit for bit.
    expect(sim.playedMs()).toBe(truth.playedMs);
    const heard = sim.heardMulaw();
    expect(Buffer.compare(Buffer.from(heard), Buffer.from(codes.subarray(0, heard.length)))).toBe(0);

    // The call goes on: the next utterance plays in full after the played position.
    const next = tone(700, 8000, 3200, 0.2);
    call.sendAudio(audioFrame(next, 8000));
    const r2 = await call.endUtterance('after');
    expect(r2).toMatchObject({ name: 'after', played: true });
    expect(r2.positionMs).toBe(result!.playedMs + 400);
    await sim.wait(40);
    expect(sim.playedMs()).toBe(truth.playedMs + 400);
    await sim.stop();
  });

  it('paces outbound audio against echoes: Twilio never holds more than maxAheadMs', async () => {
    const { call, sim } = await connectedCall({ maxAheadMs: 200 });
    let maxBuffered = 0;
    sim.on('tick', () => {
      maxBuffered = Math.max(maxBuffered, sim.report().bufferedMs);
    });
    call.sendAudio(audioFrame(tone(440, 8000, 16_000, 0.25), 8000));
    expect(call.bufferedMs()).toBe(2000);
    const r = await call.endUtterance();
    expect(r.played).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(200);
    expect(sim.report().segments.length).toBe(1);
    await sim.stop();
  });
  it('with maxQueueMs, a burst keeps only its newest audio waiting, and the caller hears that', async () => {
    const { call, sim } = await connectedCall({ maxAheadMs: 200, maxQueueMs: 300 });
    // 2 s of 440 Hz then 300 ms of 1 kHz at once: a live feed that got ahead of the call.
    call.sendAudio(audioFrame(tone(440, 8000, 16_000, 0.25), 8000));
    const first = call.endUtterance('first');
    call.sendAudio(audioFrame(tone(1000, 8000, 2400, 0.25), 8000));
    // 200 ms went to Twilio at once; of the rest, only the newest 300 ms waits.
    expect(call.bufferedMs()).toBe(500);
    expect(call.outboundStats.overflowDroppedMs).toBe(1800);
    const r = await call.endUtterance('end');
    expect(r).toMatchObject({ played: true, positionMs: 500 });
    // The first utterance's mark moved back with the audio dropped before it: it follows the 440 Hz kept.
    expect(await first).toMatchObject({ played: true, positionMs: 200 });
    const heard = sim.heardPcm();
    expect(heard.length).toBe(4000);
    expect(estimatePitchHz(heard.subarray(160, 1440), 8000)).toBeCloseTo(440, -1);
    expect(estimatePitchHz(heard.subarray(1760, 3840), 8000)).toBeCloseTo(1000, -1);
    await sim.stop();
  });

  it('refuses a maxQueueMs that is not a positive number', async () => {
    await expect(startServer({ maxQueueMs: 0 })).rejects.toThrow(/maxQueueMs must be > 0/);
  });
});
