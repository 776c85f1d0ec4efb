// BridgeFleetCall end to end over loopback: a simulated Twilio caller ⇄ media-stream server ⇄ bridge ⇄ the
// local realtime server, driven through the FleetCall verbs a fleet uses (mute, say, hangup with goodbye).
import { audioFrame } from '@voxwire/codecs';
import { isVoxwireError } from '@voxwire/core';
import { createRealtimeServer, NullTranscriber, RuleResponder } from '@voxwire/realtime-server';
import { concat, dbfs, speech } from '@voxwire/test-support';
import { createMediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { describe, expect, it } from 'vitest';
import {
  type BridgeFleetCall,
  bridgeCall,
  bridgeFleetCall,
  type FleetCallMetricsSink,
  twilioCallSession,
} from '../src/index.js';
import { testModel } from './model.js';

/** A metrics sink that keeps what it is given. */
function recordingSink() {
  const reported = {
    frames: [0, 0],
    turns: [] as number[],
    hops: [] as [string, number][],
    underruns: 0,
    errors: [] as string[],
  };
  const sink: FleetCallMetricsSink = {
    observeTurnLatency: (ms) => reported.turns.push(ms),
    observeHopLatency: (hop, ms) => reported.hops.push([hop, ms]),
    countFrames: (i, o) => {
      reported.frames[0] += i;
      reported.frames[1] += o;
    },
    countUnderruns: (n) => {
      reported.underruns += n;
    },
    countError: (code) => reported.errors.push(code),
  };
  return { reported, sink };
}

describe('bridgeFleetCall', () => {
  it('mutes the caller toward the model, says a text, reports metrics, hangs up after a goodbye', {
    timeout: 60_000,
  }, async () => {
    // The model says back what it is given (what `say` asks of a real model); no transcriber needed.
    await using rt = await createRealtimeServer({
      pacing: 'fast',
      engines: { transcriber: new NullTranscriber(), responder: new RuleResponder({ fallback: (t) => t }) },
    });
    await using media = await createMediaStreamServer({ port: 0, path: '/media' });
    const { reported, sink } = recordingSink();
    const calls: BridgeFleetCall[] = [];
    const url = rt.url;
    media.on('call', (call) =>
      call.whenStarted().then(() => {
        const bridge = bridgeCall(twilioCallSession(call), testModel(url));
        calls.push(bridgeFleetCall(bridge, { agent: 'support', metrics: sink }));
      }),
    );
    await using s = new TwilioSimulator({
      url: `ws://127.0.0.1:${media.port}/media`,
      speed: 4,
      customParameters: { caller: '+15550123' },
    });
    const closed = new Promise<number>((resolve) => s.once('close', resolve));
    await s.connect();
    await expect.poll(() => calls.length).toBe(1);
    const fc = calls[0];
    expect(fc).toMatchObject({ id: s.callSid, platform: 'twilio', caller: '+15550123', agent: 'support' });
    expect(await fc.bridge.ready).toBe(true);
    await expect.poll(() => fc.state).toBe('active');

    // Muted: the caller speaks, the model hears nothing (no speech detected, no turn).
    let speechStarts = 0;
    fc.bridge.realtime.on('speechStarted', () => speechStarts++);
    fc.setMuted(true);
    expect(fc.state).toBe('muted');
    const utterance = audioFrame(concat(speech('Hello, can you hear me?', 8000), new Int16Array(8000)), 8000);
    await s.streamAudio(utterance);
    await s.wait(1000);
    expect(speechStarts).toBe(0);
    expect(fc.metrics()).toMatchObject({ turns: 0, muted: 1 });

    // Unmuted: the same words make a turn, whose latency reaches the sink.
    fc.setMuted(false);
    await s.streamAudio(utterance);
    await expect.poll(() => reported.turns.length, { timeout: 20_000 }).toBe(1);
    expect(speechStarts).toBeGreaterThan(0);
    expect(reported.turns[0]).toBeGreaterThan(0);
    expect(reported.hops).toContainEqual(['model', reported.turns[0]]);

    // say: resolves once the caller heard it, speech-like.
    await s.until(() => s.report().bufferedMs === 0);
    const before = s.heardPcm().length;
    await fc.say('Your order has shipped and arrives on Tuesday.');
    const said = s.heardPcm().subarray(before);
    expect(said.length / 8).toBeGreaterThan(1000); // ms heard
    expect(dbfs(said)).toBeGreaterThan(-45);

    const m = fc.metrics();
    expect(m.turns).toBeGreaterThanOrEqual(2);
    expect(m.chunksIn).toBeGreaterThan(0);
    expect(m.turnLatencyP50Ms).toBeGreaterThan(0);
    fc.flushCounts();
    expect(reported.frames[0]).toBeGreaterThan(100);
    expect(reported.frames[1]).toBeGreaterThan(0);
    expect(fc.lastActivityAt).toBeGreaterThan(fc.startedAt);
    // Underruns reach the sink as the call counts them (the 4× phone may outrun speech synthesis).
    expect(reported.underruns).toBe(fc.metrics().underruns);

    // hangup: the goodbye is heard, then the line closes and the model session with it.
    const beforeBye = s.heardPcm().length;
    await fc.hangup('supervisor');
    expect(await closed).toBe(1000);
    expect(dbfs(s.heardPcm().subarray(beforeBye))).toBeGreaterThan(-45);
    expect((await fc.bridge.done).reason).toBe('hangup: supervisor');
    expect(fc.bridge.realtime.connected).toBe(false);
    expect(fc.state).toBe('ended');
    const late = await fc.say('anyone?').catch((e: unknown) => e);
    expect(isVoxwireError(late) && late.code).toBe('CLOSED');
    expect(reported.errors).toEqual([]);
  });
  it('reports playout underruns when the caller plays faster than the model speaks', {
    timeout: 60_000,
  }, async () => {
    // The model speaks in real time, the simulated phone plays at 4×: Twilio runs dry mid-answer.
    await using rt = await createRealtimeServer({
      pacing: 'realtime',
      engines: { transcriber: new NullTranscriber(), responder: new RuleResponder({ fallback: (t) => t }) },
    });
    await using media = await createMediaStreamServer({ port: 0, path: '/media' });
    const { reported, sink } = recordingSink();
    const calls: BridgeFleetCall[] = [];
    media.on('call', (call) =>
      call.whenStarted().then(() => {
        calls.push(
          bridgeFleetCall(bridgeCall(twilioCallSession(call), testModel(rt.url)), { metrics: sink }),
        );
      }),
    );
    await using s = new TwilioSimulator({ url: `ws://127.0.0.1:${media.port}/media`, speed: 4 });
    await s.connect();
    await expect.poll(() => calls.length).toBe(1);
    const fc = calls[0];
    expect(await fc.bridge.ready).toBe(true);
    await fc.say('This answer is spoken slower than the phone plays it.');
    fc.flushCounts();
    expect(fc.metrics().underruns).toBeGreaterThan(0);
    expect(reported.underruns).toBe(fc.metrics().underruns);
  });
});
