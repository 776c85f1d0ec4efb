import { frameSamples } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type InterruptedEvent, PlaybackTimeline, RealtimeClient } from '../src/index.js';
import { chunks, speech, toBase64 } from './helpers/audio.js';
import { nextEvent, type ScriptedConnection, ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

const reply = speech('Sure. Here is a long answer about your training plan for the week ahead.', 24000);

/** Plays the client's audio "into" a timeline: queues every frame, drops the queue when interrupted. */
function player(c: RealtimeClient, timeline: PlaybackTimeline): void {
  c.on('audio', (f, info) => timeline.onAudio(info.itemId, frameSamples(f), f.sampleRate));
  c.on('interrupted', () => timeline.reset());
}

/** Streams the start of a response (no done events): `reply` as 100 ms deltas for item `itemId`. */
function streamResponse(conn: ScriptedConnection, response: string, itemId: string, pcm: Int16Array) {
  conn.replay('audio-response-start', {
    RESPONSE: response,
    ITEM_ID: itemId,
    USER_ITEM: 'item_u',
    DELTAS: chunks(pcm, 2400).map(toBase64),
    TEXT_DELTAS: ['Sure. Here is a long answer about your training plan for the week ahead.'],
  });
}

describe('interruption truncates to what the listener heard', () => {
  it('on speech_started with a playback tracker: truncates the playing item to the played position', async () => {
    server = await ScriptedRealtimeServer.start();
    const timeline = new PlaybackTimeline();
    client = new RealtimeClient({
      url: server.url,
      playback: timeline,
      session: { audio: { input: { turn_detection: { type: 'server_vad' } } } },
    });
    player(client, timeline);
    let audioChunks = 0;
    client.on('audio', () => audioChunks++);
    await client.connect();
    const conn = await server.connection(0);
    const allAudio = nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    streamResponse(conn, 'resp_1', 'item_a', reply);
    await allAudio;
    expect(timeline.queuedMs).toBeCloseTo((reply.length * 1000) / 24000, 6);
    // The player has played 700 ms (e.g. Twilio echoed the mark after the 7th chunk).
    timeline.setPlayedMs(700);
    const interrupted = nextEvent<InterruptedEvent>((l) => client!.once('interrupted', l));
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 5000, item_id: 'item_u2' });
    const ev = await interrupted;
    const truncate = await conn.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: 'item_a', content_index: 0, audio_end_ms: 700 });
    expect(ev).toEqual({ itemId: 'item_a', playedMs: 700 });
    // Server VAD with interrupt_response (default) cancels by itself: the client does not double-cancel.
    expect(conn.ofType('response.cancel')).toEqual([]);
    // Audio still in flight for the interrupted response is not played.
    const before = audioChunks;
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'resp_1',
      item_id: 'item_a',
      output_index: 0,
      content_index: 0,
      delta: toBase64(reply.subarray(0, 2400)),
    });
    conn.send({ type: 'response.done', response: { id: 'resp_1', status: 'cancelled', output: [] } });
    await nextEvent((l) => client!.once('responseDone', l));
    expect(audioChunks).toBe(before);
    // The tracker dropped the unplayed audio.
    expect(timeline.queuedMs).toBe(700);
    expect(client.items().find((i) => i.id === 'item_a')?.truncatedAtMs).toBe(700);
  });

  it('items not yet played are truncated to 0', async () => {
    server = await ScriptedRealtimeServer.start();
    const timeline = new PlaybackTimeline();
    client = new RealtimeClient({ url: server.url });
    client.setPlayback(timeline);
    player(client, timeline);
    await client.connect();
    const conn = await server.connection(0);
    const first = reply.subarray(0, 24000);
    const second = reply.subarray(24000, 48000);
    const seen = nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    conn.replay('audio-response-start', {
      RESPONSE: 'resp_2',
      ITEM_ID: 'item_1',
      USER_ITEM: 'u',
      DELTAS: chunks(first, 2400).map(toBase64),
      TEXT_DELTAS: ['a'],
    });
    conn.send({
      type: 'response.output_audio.done',
      response_id: 'resp_2',
      item_id: 'item_1',
      output_index: 0,
      content_index: 0,
    });
    conn.replay('audio-response-start', {
      RESPONSE: 'resp_2',
      ITEM_ID: 'item_2',
      USER_ITEM: 'u',
      DELTAS: chunks(second, 2400).map(toBase64),
      TEXT_DELTAS: ['b'],
    });
    await seen;
    await nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    timeline.setPlayedMs(400); // 400 ms into the first second-long item
    const interrupted: InterruptedEvent[] = [];
    client.on('interrupted', (e) => interrupted.push(e));
    const result = client.interrupt();
    expect(result).toEqual({ itemId: 'item_1', playedMs: 400 });
    expect(interrupted).toEqual([result]);
    await conn.waitFor('conversation.item.truncate', (e) => e.item_id === 'item_2');
    expect(conn.ofType('response.cancel')).toMatchObject([{ response_id: 'resp_2' }]);
    expect(conn.ofType('conversation.item.truncate').map((e) => [e.item_id, e.audio_end_ms])).toEqual([
      ['item_1', 400],
      ['item_2', 0],
    ]);
  });

  it('interrupt() without a tracker truncates at the audio delivered through audio events', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, session: { audio: { input: { turn_detection: null } } } });
    await client.connect();
    const conn = await server.connection(0);
    const seen = nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    streamResponse(conn, 'resp_3', 'item_x', reply.subarray(0, 12000)); // 500 ms received and delivered
    await seen;
    expect(client.interrupt()).toEqual({ itemId: 'item_x', playedMs: 500 });
    expect(client.interrupt()).toBeUndefined(); // already truncated: nothing is playing
    await conn.waitFor('response.cancel');
    expect(conn.ofType('response.cancel')).toMatchObject([{ response_id: 'resp_3' }]);
    const truncate = await conn.waitFor('conversation.item.truncate');
    expect(truncate).toMatchObject({ item_id: 'item_x', audio_end_ms: 500 });
  });

  it('barge-in without a tracker: speech_started while the reply streams interrupts at the delivered audio', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    await client.connect();
    const conn = await server.connection(0);
    const seen = nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    streamResponse(conn, 'resp_4', 'item_y', reply.subarray(0, 7200)); // 300 ms
    await seen;
    const interrupted = nextEvent<InterruptedEvent>((l) => client!.once('interrupted', l));
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100, item_id: 'u2' });
    expect(await interrupted).toEqual({ itemId: 'item_y', playedMs: 300 });
    expect(await conn.waitFor('conversation.item.truncate')).toMatchObject({
      item_id: 'item_y',
      audio_end_ms: 300,
    });
  });

  it('bargeIn: false leaves speech_started alone; interrupt() still works', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, bargeIn: false });
    const events: string[] = [];
    client.on('interrupted', () => events.push('interrupted'));
    client.on('speechStarted', () => events.push('speechStarted'));
    await client.connect();
    const conn = await server.connection(0);
    const seen = nextEvent<unknown>((l) => client!.once('response.output_audio_transcript.delta', l));
    streamResponse(conn, 'resp_5', 'item_z', reply.subarray(0, 4800));
    await seen;
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100, item_id: 'u3' });
    await nextEvent((l) => client!.once('speechStarted', l));
    expect(events).toEqual(['speechStarted']);
    expect(client.interrupt()).toEqual({ itemId: 'item_z', playedMs: 200 });
    expect(events).toEqual(['speechStarted', 'interrupted']);
  });
});
