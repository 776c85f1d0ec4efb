// End to end over loopback: an AudioCodes VoiceAI Connect client (written from the Bot API table) ⇄ the bot
// endpoint ⇄ bridge ⇄ RealtimeClient ⇄ the local realtime server.

import { type AudioCodesServer, AudioCodesTestClient, createAudioCodesServer } from '@voxwire/audiocodes';
import { int16ToBase64 } from '@voxwire/codecs';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { concat, dbfs, handleCounts, settleLeaks, speech, waitUntil } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  audioCodesCallSession,
  type BridgeCallOptions,
  bridgeCall,
  type CallBridge,
  CallRecorder,
} from '../src/index.js';
import { testModel } from './model.js';

const TOKEN = 'vaic-secret';
const STORY =
  'Here is a long story about a very determined lifter who trained every single morning before sunrise, ' +
  'rain or shine, for many years.';

let rt: RealtimeServer | undefined;
let bot: AudioCodesServer | undefined;
let vaic: AudioCodesTestClient | undefined;

afterEach(async () => {
  await vaic?.close();
  await bot?.close();
  await rt?.close();
  vaic = bot = rt = undefined;
});

async function setup(
  steps: ConstructorParameters<typeof ScriptedResponder>[0],
  opts: BridgeCallOptions = {},
  turnDetection: 'server' | 'off' = 'server',
) {
  const toolArgs: unknown[] = [];
  rt = await createRealtimeServer({
    pacing: 'fast',
    engines: { responder: new ScriptedResponder(steps, { after: 'last' }) },
  });
  bot = await createAudioCodesServer({ port: 0, token: TOKEN });
  const bridges: CallBridge[] = [];
  const url = rt.url;
  bot.on('session', (call) => {
    const realtime = testModel(url, { toolCalls: toolArgs, turnDetection });
    bridges.push(bridgeCall(audioCodesCallSession(call), realtime, opts));
  });
  // Live timers and sockets before the call: when it is over, everything it opened must be gone again.
  const before = handleCounts();
  vaic = await AudioCodesTestClient.connect(bot.url, TOKEN, `conv-${Date.now()}`);
  expect((await vaic.initiate(['raw/lpcm16', 'raw/lpcm16_24'])).mediaFormat).toBe('raw/lpcm16_24');
  await expect.poll(() => bridges.length).toBe(1);
  expect(await bridges[0].ready).toBe(true);
  vaic.send({ type: 'userStream.start' });
  await vaic.waitType('userStream.started');
  return { bridge: bridges[0], client: vaic, toolArgs, before };
}

function say(client: AudioCodesTestClient, text: string, silenceMs = 700): void {
  const pcm = concat(speech(text, 24000), new Int16Array((silenceMs * 24000) / 1000));
  for (let i = 0; i < pcm.length; i += 2400) {
    client.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(pcm.subarray(i, i + 2400)) });
  }
}

describe('bridgeCall with an AudioCodes call and the local realtime server', () => {
  it('holds a two-turn conversation with a tool call and a barge-in', { timeout: 120_000 }, async () => {
    const recorder = new CallRecorder();
    const { bridge, client, toolArgs } = await setup(
      [
        { toolCalls: [{ name: 'order_status', arguments: { order: '42' } }] },
        (ctx) => {
          const out = ctx.items.find((i) => i.type === 'function_call_output') as { output?: string };
          return { text: `Order forty two is ${JSON.parse(out?.output ?? '{}').status}.` };
        },
        { text: STORY },
        { text: 'Okay.' },
      ],
      { recorder },
    );

    say(client, 'Where is my order?');
    await client.waitType('userStream.speech.started');
    await client.waitType('userStream.speech.stopped');
    const firstStop = await client.waitType('playStream.stop');
    expect(toolArgs).toEqual([{ order: '42' }]);
    const answer = client.playedBytes(String(firstStop.streamId));
    expect(answer.length / 2 / 24000).toBeGreaterThan(0.8); // about a second of 24 kHz speech

    const from = client.received.length;
    say(client, 'Tell me a story.');
    const storyStart = await client.waitFor((m) => m.type === 'playStream.start', from);
    const bargeIn = new Promise<{ playedMs: number; itemId: string }>((resolve) =>
      bridge.on('bargeIn', resolve),
    );
    // Let part of the story play out: the call's playback position passes 400 ms into it. The story starts on
    // the outbound timeline after every byte played before it (24 kHz PCM16: 48 bytes per ms).
    const before = client.received.slice(0, client.received.indexOf(storyStart));
    const storyAtMs =
      before
        .filter((m) => m.type === 'playStream.chunk')
        .reduce((n, m) => n + Buffer.from(String(m.audioChunk), 'base64').length, 0) / 48;
    await waitUntil(() => bridge.call.playedMs() >= storyAtMs + 400, 'the first 400 ms of the story to play');
    say(client, 'Stop, stop please.');
    const b = await bargeIn;
    await client.waitFor((m) => m.type === 'playStream.stop' && m.streamId === storyStart.streamId);
    const storyMs = (speech(STORY, 24000).length * 1000) / 24000;
    expect(b.playedMs).toBeGreaterThan(0);
    expect(b.playedMs).toBeLessThan(storyMs);
    // "Stop, stop please." may reach the model's VAD as two utterances, the second over the "Okay.".
    expect(bridge.metrics().bargeIns).toBeGreaterThanOrEqual(1);
    expect(bridge.metrics().turnLatencyMs.count).toBeGreaterThanOrEqual(2);

    const rec = recorder.recording();
    expect(dbfs(rec.caller)).toBeGreaterThan(-45);
    expect(dbfs(rec.agent)).toBeGreaterThan(-45);
    expect(rec.clearedMs).toBeGreaterThan(0);

    client.send({ type: 'session.end', reasonCode: 'client-disconnected', reason: 'Client Side' });
    const result = await bridge.done;
    expect(result.reason).toBe('call ended: Client Side');
    expect(bridge.realtime.connected).toBe(false);
  });

  it('ends cleanly when the caller hangs up in the middle of a response', { timeout: 60_000 }, async () => {
    const { bridge, client, before } = await setup([{ text: STORY }]);
    say(client, 'Tell me a story.');
    await client.waitType('playStream.chunk');
    client.send({ type: 'session.end', reasonCode: 'client-disconnected', reason: 'caller hung up' });
    const result = await bridge.done;
    expect(result.reason).toBe('call ended: caller hung up');
    expect(bridge.realtime.connected).toBe(false);
    expect(bot?.sessions.size).toBe(0);
    await client.close();
    // No timer or socket of the call, the bridge or the model session outlives it.
    expect(await settleLeaks(before, 10_000)).toEqual({});
  });

  it('hangs up the call when the model side drops mid-call', { timeout: 60_000 }, async () => {
    const { bridge, client, before } = await setup([{ text: STORY }]);
    say(client, 'Tell me a story.');
    await client.waitType('playStream.chunk');
    const from = client.received.length;
    await rt?.close();
    rt = undefined;
    const result = await bridge.done;
    expect(result.reason).toMatch(/model session closed/);
    const hangup = await client.waitType('activities', from);
    expect(hangup.activities).toEqual([{ type: 'event', name: 'hangup' }]);
    expect(bridge.call.ended).toBe(true);
    await client.close();
    expect(await settleLeaks(before, 10_000)).toEqual({});
  });
});

describe("bridgeCall AudioCodes turns without the model's VAD", () => {
  it("commits the turn at userStream.stop (VAIC's end of utterance) and the model answers", {
    timeout: 60_000,
  }, async () => {
    // The local VAD would wait 3 s of silence: the commit can only come from userStream.stop.
    const { bridge, client } = await setup(
      [{ text: 'It is ten past three.' }],
      { localVad: { commitTurns: true, minSilenceMs: 3000 } },
      'off',
    );
    const committed: string[] = [];
    bridge.realtime.on('input_audio_buffer.committed', (e) => committed.push(e.item_id));
    say(client, 'What time is it?', 0);
    client.send({ type: 'userStream.stop' });
    await client.waitType('playStream.start');
    expect(committed).toHaveLength(1);
    // VAIC heard about the caller's speech from the bot's VAD, start and stop.
    const types = client.received.map((m) => m.type);
    expect(types.indexOf('userStream.speech.started')).toBeLessThan(
      types.indexOf('userStream.speech.stopped'),
    );
    // A second stop with nothing said since commits nothing.
    client.send({ type: 'userStream.start' });
    client.send({ type: 'userStream.stop' });
    await client.waitType('userStream.stopped', types.lastIndexOf('userStream.stopped') + 1);
    expect(committed).toHaveLength(1);
    await bridge.close();
  });
});
