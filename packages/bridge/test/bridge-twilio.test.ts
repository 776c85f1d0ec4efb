// End to end over loopback: a simulated Twilio call (TwilioSimulator) ⇄ media-stream server ⇄ bridge ⇄
// RealtimeClient ⇄ the local realtime server (its server VAD, espeak-ng voice, a scripted responder).
import { audioFrame } from '@voxwire/codecs';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { concat, dbfs, handleCounts, settleLeaks, speech } from '@voxwire/test-support';
import { createMediaStreamServer, type MediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BridgeCallOptions,
  bridgeCall,
  type CallBridge,
  CallRecorder,
  twilioCallSession,
} from '../src/index.js';
import { testModel } from './model.js';

let rt: RealtimeServer | undefined;
let media: MediaStreamServer | undefined;
let sim: TwilioSimulator | undefined;

afterEach(async () => {
  await sim?.stop().catch(() => {});
  await media?.close();
  await rt?.close();
  sim = media = rt = undefined;
});

const STORY =
  'Here is a long story about a very determined lifter who trained every single morning before sunrise, ' +
  'rain or shine, for many years.';

describe('bridgeCall with a Twilio call and the local realtime server', () => {
  it('holds a two-turn conversation with a tool call and a barge-in, recorded and measured', {
    timeout: 60_000,
  }, async () => {
    const toolArgs: unknown[] = [];
    rt = await createRealtimeServer({
      pacing: 'fast',
      engines: {
        responder: new ScriptedResponder(
          [
            { toolCalls: [{ name: 'order_status', arguments: { order: '42' } }] },
            (ctx) => {
              const out = ctx.items.find((i) => i.type === 'function_call_output') as { output?: string };
              return { text: `Order forty two is ${JSON.parse(out?.output ?? '{}').status}.` };
            },
            { text: STORY },
            { text: 'Okay.' },
          ],
          { after: 'last' },
        ),
      },
    });
    media = await createMediaStreamServer({ port: 0, path: '/media' });
    const recorder = new CallRecorder();
    const bridges: CallBridge[] = [];
    media.on('call', (call) => {
      const realtime = testModel(rt!.url, { instructions: 'You are a support agent.', toolCalls: toolArgs });
      bridges.push(bridgeCall(twilioCallSession(call), realtime, { recorder }));
    });

    sim = new TwilioSimulator({ url: `ws://127.0.0.1:${media.port}/media`, speed: 5 });
    await sim.connect();
    await expect.poll(() => bridges.length).toBe(1);
    const bridge = bridges[0];
    expect(await bridge.ready).toBe(true);
    const s = sim;

    // Turn 1: a question that makes the model call a tool, then answer.
    await s.streamAudio(audioFrame(concat(speech('Where is my order?', 8000), new Int16Array(6400)), 8000));
    await s.until(() => s.marks.some((m) => m.name.startsWith('utterance') && !m.flushed));
    expect(toolArgs).toEqual([{ order: '42' }]);
    const afterTurn1 = s.playedMs();
    expect(afterTurn1).toBeGreaterThan(500);

    // Turn 2: ask for a story, and talk over it once a second of it has played.
    const story = s.streamAudio(
      audioFrame(concat(speech('Tell me a story.', 8000), new Int16Array(4000)), 8000),
    );
    await story;
    await s.until(() => s.playedMs() > afterTurn1 + 1000);
    const bargeIn = new Promise<{ itemId: string; playedMs: number }>((resolve) =>
      bridge.on('bargeIn', resolve),
    );
    await s.streamAudio(audioFrame(concat(speech('Stop, stop please.', 8000), new Int16Array(8000)), 8000));
    const b = await bargeIn;
    await s.until(() => s.clears.length === 1);

    // The caller heard part of the story, not all of it, and the model's item was cut exactly there.
    const storyMs = (speech(STORY, 24000).length * 1000) / 24000;
    expect(b.playedMs).toBeGreaterThan(1000);
    expect(b.playedMs).toBeLessThan(storyMs - 500);
    const m = bridge.metrics();
    expect(m.bargeIns).toBe(1);
    expect(m.turnLatencyMs.count).toBeGreaterThanOrEqual(2);
    expect(m.turnLatencyMs.p50).toBeGreaterThan(0);
    expect(m.chunksIn).toBeGreaterThan(100);
    expect(m.quality?.analyses).toBeGreaterThan(0);

    // Both speakers are in the recording, at speech-like levels.
    const rec = recorder.recording();
    // What the caller never heard of the story left the recording.
    expect(rec.clearedMs).toBeGreaterThan(0);
    expect(rec.clearedMs).toBeLessThanOrEqual(storyMs - b.playedMs + 20);
    expect(dbfs(rec.caller)).toBeGreaterThan(-45);
    expect(dbfs(rec.agent)).toBeGreaterThan(-45);
    expect(rec.caller.length).toBe(rec.agent.length);

    // The caller hangs up: the bridge ends and closes the model session.
    await s.stop();
    const result = await bridge.done;
    expect(result.reason).toMatch(/call ended/);
    expect(bridge.realtime.connected).toBe(false);
  });
});

/** A realtime server answering with `steps`, a media-stream server bridging each call to it, one simulated call. */
async function setupCall(
  steps: ConstructorParameters<typeof ScriptedResponder>[0],
  opts: BridgeCallOptions = {},
  turnDetection: 'server' | 'off' = 'server',
) {
  rt = await createRealtimeServer({
    pacing: 'realtime',
    engines: { responder: new ScriptedResponder(steps, { after: 'last' }) },
  });
  media = await createMediaStreamServer({ port: 0, path: '/media' });
  const bridges: CallBridge[] = [];
  const url = rt.url;
  media.on('call', (call) => {
    const realtime = testModel(url, { turnDetection });
    bridges.push(bridgeCall(twilioCallSession(call), realtime, opts));
  });
  // Live timers and sockets before the call: when it is over, everything it opened must be gone again.
  const before = handleCounts();
  sim = new TwilioSimulator({ url: `ws://127.0.0.1:${media.port}/media`, speed: 1 });
  await sim.connect();
  await expect.poll(() => bridges.length).toBe(1);
  expect(await bridges[0].ready).toBe(true);
  return { bridge: bridges[0], sim, before };
}

async function expectNothingLeaked(before: Record<string, number>): Promise<void> {
  // Closing handshakes take a few event-loop turns; a leak never settles.
  expect(await settleLeaks(before, 10_000)).toEqual({});
}

describe('bridgeCall endings with a Twilio call', () => {
  it('ends cleanly when the caller hangs up in the middle of a response', { timeout: 60_000 }, async () => {
    const { bridge, sim: s, before } = await setupCall([{ text: STORY }]);
    await s.streamAudio(audioFrame(concat(speech('Tell me a story.', 8000), new Int16Array(6400)), 8000));
    await s.until(() => s.playedMs() > 300);
    await s.stop();
    const result = await bridge.done;
    expect(result.reason).toMatch(/call ended/);
    expect(bridge.realtime.connected).toBe(false);
    expect(media?.calls.size ?? 0).toBe(0);
    await expectNothingLeaked(before);
  });

  it('hangs up the call when the model side drops mid-call', { timeout: 60_000 }, async () => {
    const { bridge, sim: s, before } = await setupCall([{ text: STORY }]);
    await s.streamAudio(audioFrame(concat(speech('Tell me a story.', 8000), new Int16Array(6400)), 8000));
    await s.until(() => s.playedMs() > 300);
    const streamClosed = new Promise((resolve) => s.once('close', resolve));
    await rt?.close();
    rt = undefined;
    const result = await bridge.done;
    expect(result.reason).toMatch(/model session closed/);
    expect(bridge.call.ended).toBe(true);
    // Twilio hears the hang-up as the media stream closing.
    await streamClosed;
    await expectNothingLeaked(before);
  });
});

describe('bridgeCall local barge-in', () => {
  it('silences the agent from its own VAD when the model has no turn detection', {
    timeout: 60_000,
  }, async () => {
    const { bridge, sim: s } = await setupCall([{ text: STORY }], { localVad: {} }, 'off');
    // With turn detection off the model answers only when asked: ask for the story by text.
    bridge.realtime.sendText('Tell me a story.', { respond: true });
    await s.until(() => s.playedMs() > 1000);
    const bargeIn = new Promise<{ itemId: string; playedMs: number; reactionMs: number }>((resolve) =>
      bridge.on('bargeIn', resolve),
    );
    await s.streamAudio(audioFrame(concat(speech('Stop, stop please.', 8000), new Int16Array(1600)), 8000));
    const b = await bargeIn;
    await s.until(() => s.clears.length === 1);
    const storyMs = (speech(STORY, 24000).length * 1000) / 24000;
    expect(b.playedMs).toBeGreaterThan(1000);
    expect(b.playedMs).toBeLessThan(storyMs - 500);
    // On the caller-audio clock: the energy VAD's minimum speech (200 ms) and a frame or two, not a turn.
    expect(b.reactionMs).toBeGreaterThan(0);
    expect(b.reactionMs).toBeLessThan(1000);
    expect(bridge.metrics().bargeIns).toBe(1);
    await bridge.close();
  });

  it('commits a spoken turn and asks for the answer itself when the model has no turn detection', {
    timeout: 60_000,
  }, async () => {
    const { bridge, sim: s } = await setupCall(
      [{ text: 'It is ten past three.' }],
      // Every 20 ms Twilio frame is over 100 bytes, and no turn answers within 0 ms: both alerts fire.
      { localVad: { commitTurns: true }, latencyAlertMs: 0, chunkAlertBytes: 100 },
      'off',
    );
    const alerts: string[] = [];
    bridge.on('alert', (a) => alerts.push(a.kind));
    const committed: string[] = [];
    bridge.realtime.on('input_audio_buffer.committed', (e) => committed.push(e.item_id));
    await s.streamAudio(audioFrame(concat(speech('What time is it?', 8000), new Int16Array(4000)), 8000));
    await s.until(() => s.marks.some((m) => m.name.startsWith('utterance')));
    // One commit for one utterance, and the model's answer reached the caller.
    expect(committed).toHaveLength(1);
    expect(dbfs(s.heardPcm())).toBeGreaterThan(-45);
    const m = bridge.metrics();
    expect(m.turnLatencyMs.count).toBe(1);
    expect(m.alerts['turn-latency']).toBe(1);
    expect(m.alerts['chunk-size']).toBe(m.chunksIn);
    expect(alerts).toContain('turn-latency');
    await bridge.close();
  });
});
