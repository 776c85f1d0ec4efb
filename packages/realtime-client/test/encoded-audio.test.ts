// Encoded audio in and out: G.711 frames in the session's codec reach the socket as the same bytes (one
// base64 encode, one append per frame), frames in another codec are converted, and the model's G.711 audio
// arrives as EncodedFrames holding the delta's bytes.
import { alaw, audioFrame, encodedFrame, mulaw } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type OverflowInfo, RealtimeClient } from '../src/index.js';
import { chunks, speech } from './helpers/audio.js';
import { ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

const said = speech('Hello, this is a phone call.', 8000);

async function g711Client(type: 'audio/pcmu' | 'audio/pcma'): Promise<RealtimeClient> {
  server = await ScriptedRealtimeServer.start();
  client = new RealtimeClient({
    url: server.url,
    session: { audio: { input: { format: { type } }, output: { format: { type } } } },
  });
  await client.connect();
  return client;
}

function appendedBytes(events: Array<{ [key: string]: unknown }>): Buffer[] {
  return events.map((e) => Buffer.from(e.audio as string, 'base64'));
}

describe('encoded input', () => {
  for (const [type, codec, law] of [
    ['audio/pcmu', 'pcmu', mulaw],
    ['audio/pcma', 'pcma', alaw],
  ] as const) {
    it(`${codec} frames into an ${type} session reach the server as the same bytes, one append per frame`, async () => {
      const c = await g711Client(type);
      const conn = await server!.connection(0);
      const frames = chunks(said, 160).map((pcm, i) =>
        encodedFrame(codec, law.encode(pcm), { position: i * 160 }),
      );
      for (const f of frames) c.appendAudio(f);
      c.commit();
      await conn.waitFor('input_audio_buffer.commit');
      const got = appendedBytes(conn.ofType('input_audio_buffer.append'));
      expect(got).toHaveLength(frames.length);
      for (const [i, bytes] of got.entries()) expect(bytes).toEqual(Buffer.from(frames[i].data));
    });
  }

  it('a frame in the other law is decoded and re-encoded; PCM before it is flushed first, in order', async () => {
    const c = await g711Client('audio/pcmu');
    const conn = await server!.connection(0);
    const pcm = said.subarray(0, 400); // 50 ms: less than a batch, stays pending until the encoded frame
    c.appendAudio(audioFrame(pcm, 8000));
    const aBytes = alaw.encode(said.subarray(400, 560));
    c.appendAudio(encodedFrame('pcma', aBytes));
    const uBytes = mulaw.encode(said.subarray(560, 720));
    c.appendAudio(encodedFrame('pcmu', uBytes));
    c.commit();
    await conn.waitFor('input_audio_buffer.commit');
    const up = Buffer.concat(appendedBytes(conn.ofType('input_audio_buffer.append')));
    const expected = Buffer.concat([mulaw.encode(pcm), mulaw.encode(alaw.decode(aBytes)), uBytes]);
    expect(up).toEqual(expected);
  });

  it('encoded frames into a PCM session are decoded and resampled to 24 kHz', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    await client.connect();
    const conn = await server.connection(0);
    for (const pcm of chunks(said.subarray(0, 8000), 160))
      client.appendAudio(encodedFrame('pcmu', mulaw.encode(pcm)));
    client.commit();
    await conn.waitFor('input_audio_buffer.commit');
    const bytes = appendedBytes(conn.ofType('input_audio_buffer.append')).reduce((n, b) => n + b.length, 0);
    expect(bytes / 2).toBe(24000); // one second at 24 kHz
  });

  it('pass-through frames are queued under backpressure; drops are whole frames, counted, oldest first', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      session: { audio: { input: { format: { type: 'audio/pcmu' } } } },
      highWaterMarkBytes: 16 * 1024,
      maxQueueBytes: 64 * 1024,
    });
    const c = client;
    const overflows: OverflowInfo[] = [];
    c.on('overflow', (o) => overflows.push(o));
    await c.connect();
    const conn = await server.connection(0);
    await conn.waitFor('session.update');
    conn.pause();
    // 400 s of 20 ms frames, each tagged with its index in its first two bytes (the buffer is reused:
    // the client must not keep a reference to it).
    const bytes = new Uint8Array(160).fill(0xff);
    const total = 20000;
    for (let i = 0; i < total; i++) {
      bytes[0] = i & 0xff;
      bytes[1] = i >> 8;
      c.appendAudio(encodedFrame('pcmu', bytes));
    }
    c.commit();
    expect(overflows.length).toBeGreaterThan(0);
    conn.resume();
    await conn.waitFor('input_audio_buffer.commit');
    const received = appendedBytes(conn.ofType('input_audio_buffer.append'));
    const droppedMessages = overflows.reduce((n, o) => n + o.droppedMessages, 0);
    const droppedMs = overflows.reduce((n, o) => n + o.droppedAudioMs, 0);
    expect(received.length + droppedMessages).toBe(total);
    expect(droppedMs).toBeCloseTo(droppedMessages * 20, 6);
    expect(c.metrics().droppedAudioMs).toBeCloseTo(droppedMs, 6);
    const ids = received.map((r) => r[0] + (r[1] << 8));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
    expect(ids.at(-1)).toBe(total - 1);
    expect(received.every((r) => r.length === 160)).toBe(true);
  });
});

describe('encoded output', () => {
  it('pcma output arrives as EncodedFrames with the bytes of each delta, positions per item', async () => {
    const c = await g711Client('audio/pcma');
    const conn = await server!.connection(0);
    const frames: Array<{ codec: string; data: Uint8Array; position: number; itemId: string }> = [];
    c.on('audio', (f, info) => {
      if (!('codec' in f)) throw new Error('expected an EncodedFrame');
      frames.push({ codec: f.codec, data: f.data, position: f.position, itemId: info.itemId });
    });
    const codes = alaw.encode(said.subarray(0, 2400));
    const done = new Promise((resolve) => c.once('responseDone', resolve));
    conn.replay('audio-response-start', {
      RESPONSE: 'r1',
      ITEM_ID: 'item_a',
      USER_ITEM: 'u',
      DELTAS: [0, 800, 1600].map((o) => Buffer.from(codes.subarray(o, o + 800)).toString('base64')),
      TEXT_DELTAS: [],
    });
    conn.replay('audio-response-end', { RESPONSE: 'r1', ITEM_ID: 'item_a', USER_ITEM: 'u', TEXT: '' });
    await done;
    expect(frames.map((f) => [f.codec, f.position, f.itemId])).toEqual([
      ['pcma', 0, 'item_a'],
      ['pcma', 800, 'item_a'],
      ['pcma', 1600, 'item_a'],
    ]);
    expect(Buffer.concat(frames.map((f) => f.data))).toEqual(Buffer.from(codes));
  });

  it('with outputSampleRate, G.711 output is decoded to PCM at that rate', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      outputSampleRate: 8000,
      session: { audio: { output: { format: { type: 'audio/pcmu' } } } },
    });
    const pcm: Int16Array[] = [];
    client.on('audio', (f) => {
      if ('codec' in f) throw new Error('expected PCM');
      pcm.push(f.data);
    });
    await client.connect();
    const conn = await server.connection(0);
    const codes = mulaw.encode(said.subarray(0, 1600));
    const done = new Promise((resolve) => client!.once('responseDone', resolve));
    conn.replay('audio-response-start', {
      RESPONSE: 'r1',
      ITEM_ID: 'i',
      USER_ITEM: 'u',
      DELTAS: [Buffer.from(codes).toString('base64')],
      TEXT_DELTAS: [],
    });
    conn.replay('audio-response-end', { RESPONSE: 'r1', ITEM_ID: 'i', USER_ITEM: 'u', TEXT: '' });
    await done;
    expect(pcm).toEqual([mulaw.decode(codes)]);
  });
});
