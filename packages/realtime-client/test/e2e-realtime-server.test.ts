// End to end against the real local server (@voxwire/realtime-server): its server VAD, espeak-ng voice and a
// scripted responder, over a loopback socket. Nothing here is scripted on the wire: the server decides.
import {
  type AudioFrame,
  audioFrame,
  type EncodedFrame,
  encodedFrame,
  frameSamples,
  isEncodedFrame,
  mulaw,
} from '@voxwire/codecs';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type InterruptedEvent,
  PlaybackTimeline,
  RealtimeClient,
  type RealtimeClientError,
  type ResponseDoneEvent,
} from '../src/index.js';
import { chunks, concat, rms, speech } from './helpers/audio.js';
import { nextEvent } from './helpers/scripted-server.js';

let server: RealtimeServer | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

function waitForResponse(
  c: RealtimeClient,
  pred: (r: ResponseDoneEvent) => boolean,
): Promise<ResponseDoneEvent> {
  return new Promise((resolve) => {
    const listener = (r: ResponseDoneEvent) => {
      if (!pred(r)) return;
      c.off('responseDone', listener);
      resolve(r);
    };
    c.on('responseDone', listener);
  });
}

describe('against @voxwire/realtime-server', () => {
  it('a full spoken turn: 16 kHz espeak speech in, server VAD, spoken 24 kHz reply out', async () => {
    server = await createRealtimeServer({
      pacing: 'fast',
      apiKeys: ['sk-e2e'],
      engines: { responder: new ScriptedResponder([{ text: 'Ten reps of bench press, logged.' }]) },
    });
    client = new RealtimeClient({
      url: server.url,
      apiKey: 'sk-e2e',
      session: {
        instructions: 'Log workouts.',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy' },
        },
      },
    });
    const c = client;
    const errors: RealtimeClientError[] = [];
    const audio: AudioFrame[] = [];
    const order: string[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('audio', (a) => audio.push(a as AudioFrame));
    c.on('speechStarted', () => order.push('speechStarted'));
    c.on('speechStopped', () => order.push('speechStopped'));
    await c.connect();
    await nextEvent((l) => c.once('session.updated', l));

    const said = speech('I just did ten reps of bench press.', 16000);
    const input = concat([new Int16Array(8000), said, new Int16Array(16000)]);
    const done = nextEvent<ResponseDoneEvent>((l) => c.once('responseDone', l));
    for (const ch of chunks(input, 320)) c.appendAudio(audioFrame(ch, 16000));
    c.flushAudio();
    const response = await done;

    expect(errors).toEqual([]);
    expect(response.status).toBe('completed');
    expect(order).toEqual(['speechStarted', 'speechStopped']);
    const reply = concat(audio.map((a) => a.data));
    expect(audio.every((a) => a.sampleRate === 24000)).toBe(true);
    // Real speech: at least a second of it, at a speech-like level.
    expect(reply.length).toBeGreaterThan(24000);
    expect(20 * Math.log10(rms(reply))).toBeGreaterThan(-40);
    const items = c.items();
    const assistant = items.find((i) => i.role === 'assistant');
    expect(assistant?.text).toBe('Ten reps of bench press, logged.');
    expect(assistant?.audioMs).toBeCloseTo((reply.length * 1000) / 24000, 3);
    expect(items.find((i) => i.role === 'user')).toBeDefined();
    expect(c.metrics().turns).toBe(1);
  });

  it('a tool call round trip: the server calls log_workout, the handler runs, the follow-up reply speaks', async () => {
    server = await createRealtimeServer({
      pacing: 'fast',
      engines: {
        responder: new ScriptedResponder(
          [
            {
              toolCalls: [
                { name: 'log_workout', arguments: { exercise: 'bench press', reps: 10, weight_lbs: 185 } },
              ],
            },
            (ctx) => {
              const output = ctx.items.find((i) => i.type === 'function_call_output') as
                | { output?: string }
                | undefined;
              return { text: `Saved entry ${JSON.parse(output?.output ?? '{}').id}.` };
            },
          ],
          { after: 'last' },
        ),
      },
    });
    client = new RealtimeClient({ url: server.url, session: { audio: { input: { turn_detection: null } } } });
    const c = client;
    const calls: unknown[] = [];
    c.addTool(
      {
        name: 'log_workout',
        description: 'Log a set',
        parameters: {
          type: 'object',
          properties: {
            exercise: { type: 'string' },
            reps: { type: 'integer' },
            weight_lbs: { type: 'number' },
          },
        },
      },
      async (args) => {
        calls.push(args);
        return { id: 42 };
      },
    );
    const errors: RealtimeClientError[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    const spoken = waitForResponse(c, (r) => (r.response.output ?? []).some((o) => o.type === 'message'));
    c.sendText('I did ten reps of bench press at 185 pounds.');
    const reply = await spoken;
    expect(errors).toEqual([]);
    expect(calls).toEqual([{ exercise: 'bench press', reps: 10, weight_lbs: 185 }]);
    expect(reply.status).toBe('completed');
    const texts = c
      .items()
      .map((i) => [i.type, i.role ?? null, i.type === 'function_call_output' ? i.output : i.text]);
    expect(texts).toContainEqual(['function_call_output', null, '{"id":42}']);
    expect(texts.at(-1)).toEqual(['message', 'assistant', 'Saved entry 42.']);
    expect(c.metrics().toolCalls).toBe(1);
  });

  it('barge-in: user speech during a paced reply truncates the item to the played position', async () => {
    server = await createRealtimeServer({
      pacing: 'realtime',
      engines: {
        responder: new ScriptedResponder([
          {
            text: 'Here is a long story about a very determined lifter who trained every single morning before sunrise.',
          },
          { text: 'Okay.' },
        ]),
      },
    });
    const timeline = new PlaybackTimeline();
    client = new RealtimeClient({
      url: server.url,
      playback: timeline,
      session: {
        audio: {
          input: {
            turn_detection: { type: 'server_vad', silence_duration_ms: 400, interrupt_response: true },
          },
        },
      },
    });
    const c = client;
    // The "player": queues every frame on the timeline, drops its queue when interrupted.
    c.on('audio', (f, info) => timeline.onAudio(info.itemId, frameSamples(f), f.sampleRate));
    c.on('interrupted', () => timeline.reset());
    await c.connect();
    // Wait until a second of the reply has arrived; the (simulated) speaker has played 600 ms of it.
    const arrived = new Promise<void>((resolve) => {
      const listener = () => {
        if (timeline.queuedMs < 1000) return;
        c.off('audio', listener);
        resolve();
      };
      c.on('audio', listener);
    });
    c.sendText('Tell me a story.');
    await arrived;
    timeline.setPlayedMs(600);
    const truncated = nextEvent<{ item_id: string; audio_end_ms: number }>((l) =>
      c.once('conversation.item.truncated', l),
    );
    const interrupted = nextEvent<InterruptedEvent>((l) => c.once('interrupted', l));
    const stop = concat([speech('Stop, stop please.', 16000), new Int16Array(16000)]);
    for (const ch of chunks(stop, 320)) c.appendAudio(audioFrame(ch, 16000));
    c.flushAudio();
    const ev = await interrupted;
    const t = await truncated;
    expect(ev.playedMs).toBe(600);
    expect(t).toMatchObject({ item_id: ev.itemId, audio_end_ms: 600 });
    expect(timeline.queuedMs).toBe(600);
    expect(c.items().find((i) => i.id === t.item_id)?.truncatedAtMs).toBe(600);
  });

  it('a phone-style G.711 turn: μ-law frames in, μ-law EncodedFrames out, bit-exact with the wire deltas', async () => {
    server = await createRealtimeServer({
      pacing: 'fast',
      engines: { responder: new ScriptedResponder([{ text: 'Your call is logged.' }]) },
    });
    client = new RealtimeClient({
      url: server.url,
      session: {
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
          output: { format: { type: 'audio/pcmu' } },
        },
      },
    });
    const c = client;
    const frames: EncodedFrame[] = [];
    const wire: Buffer[] = [];
    c.on('audio', (f) => {
      if (!isEncodedFrame(f)) throw new Error('G.711 output must arrive as EncodedFrames');
      frames.push(f);
    });
    c.on('response.output_audio.delta', (ev) => wire.push(Buffer.from(ev.delta, 'base64')));
    const errors: RealtimeClientError[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    await nextEvent((l) => c.once('session.updated', l));
    const said = concat([new Int16Array(4000), speech('Log my call please.', 8000), new Int16Array(8000)]);
    const done = nextEvent<ResponseDoneEvent>((l) => c.once('responseDone', l));
    // 20 ms Twilio-sized frames of μ-law, as a phone call delivers them.
    for (const pcm of chunks(said, 160)) c.appendAudio(encodedFrame('pcmu', mulaw.encode(pcm)));
    const response = await done;
    expect(errors).toEqual([]);
    expect(response.status).toBe('completed');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.codec === 'pcmu' && f.sampleRate === 8000 && f.channels === 1)).toBe(true);
    expect(Buffer.concat(frames.map((f) => f.data))).toEqual(Buffer.concat(wire));
    let at = 0;
    for (const f of frames) {
      expect(f.position).toBe(at);
      at += f.samples;
    }
    const reply = mulaw.decode(new Uint8Array(Buffer.concat(wire)));
    expect(reply.length).toBeGreaterThan(8000); // more than a second of speech
    expect(20 * Math.log10(rms(reply))).toBeGreaterThan(-40);
  });
});
