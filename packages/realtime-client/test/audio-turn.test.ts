import { type AudioFrame, audioFrame, type EncodedFrame, mulaw } from '@voxwire/codecs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AudioInfo,
  RealtimeClient,
  type TranscriptEvent,
  type UserTranscriptEvent,
} from '../src/index.js';
import {
  chunks,
  concat,
  fromBase64,
  rms,
  speech,
  toBase64,
  tone,
  zeroCrossingFrequency,
} from './helpers/audio.js';
import { nextEvent, ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

describe('full audio turn over a loopback socket', () => {
  let reply: Int16Array;
  let question16k: Int16Array;
  beforeAll(() => {
    reply = speech('You did ten reps of bench press at one hundred eighty five pounds.', 24000);
    question16k = speech('I just did ten reps of bench press.', 16000);
  });

  it('streams 16 kHz speech up as 24 kHz 100 ms batches and plays the spoken reply back bit-exact', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      apiKey: 'sk-test',
      session: {
        instructions: 'You are a workout logger.',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy' },
        },
      },
    });
    const audio: AudioFrame[] = [];
    const transcripts: TranscriptEvent[] = [];
    const user: UserTranscriptEvent[] = [];
    const order: string[] = [];
    const infos: AudioInfo[] = [];
    client.on('audio', (c, info) => {
      audio.push(c as AudioFrame);
      infos.push(info);
    });
    client.on('transcript', (t) => transcripts.push(t));
    client.on('userTranscript', (t) => user.push(t));
    client.on('speechStarted', () => order.push('speechStarted'));
    client.on('speechStopped', () => order.push('speechStopped'));
    client.on('response.created', () => order.push('response.created'));
    await client.connect();
    const conn = await server.connection(0);
    expect(server.upgradeHeaders[0].authorization).toBe('Bearer sk-test');
    const update = await conn.waitFor('session.update');
    expect(update.session).toMatchObject({ type: 'realtime', instructions: 'You are a workout logger.' });

    // The caller's 16 kHz speech arrives in 20 ms chunks.
    for (const c of chunks(question16k, 320)) client.appendAudio(audioFrame(c, 16000));
    client.flushAudio();
    await conn.waitFor('input_audio_buffer.append', () => {
      const got = conn
        .ofType('input_audio_buffer.append')
        .reduce((n, e) => n + fromBase64(e.audio as string).length, 0);
      return got >= Math.ceil((question16k.length * 3) / 2);
    });
    const appends = conn.ofType('input_audio_buffer.append').map((e) => fromBase64(e.audio as string));
    // 100 ms batches at 24 kHz, except the flushed tail.
    for (const a of appends.slice(0, -1)) expect(a.length).toBe(2400);
    const up = concat(appends);
    expect(up.length).toBe(Math.ceil((question16k.length * 24000) / 16000));
    // Resampling keeps the speech level (within 1 dB).
    expect(20 * Math.log10(rms(up) / rms(question16k))).toBeCloseTo(0, 0);

    const done = nextEvent<unknown>((l) => client!.once('responseDone', l));
    conn.replay('user-turn-vad', {
      USER_ITEM: 'item_user1',
      SPEECH_START_MS: 120,
      SPEECH_END_MS: 2100,
      USER_TRANSCRIPT: 'I just did ten reps of bench press.',
    });
    const deltas = chunks(reply, 2400 + 37).map((c) => toBase64(c)); // odd sizes, as the service sends
    const text = 'You did ten reps of bench press at 185 pounds.';
    conn.replay('audio-response-start', {
      RESPONSE: 'resp_1',
      ITEM_ID: 'item_asst1',
      USER_ITEM: 'item_user1',
      DELTAS: deltas,
      TEXT_DELTAS: ['You did ten reps ', 'of bench press at 185 pounds.'],
    });
    conn.replay('audio-response-end', {
      RESPONSE: 'resp_1',
      ITEM_ID: 'item_asst1',
      USER_ITEM: 'item_user1',
      TEXT: text,
    });
    await done;

    expect(order).toEqual(['speechStarted', 'speechStopped', 'response.created']);
    const played = concat(audio.map((c) => c.data));
    expect(played).toEqual(reply);
    expect(audio.every((c) => c.sampleRate === 24000 && c.channels === 1)).toBe(true);
    expect(infos.every((i) => i.itemId === 'item_asst1' && i.responseId === 'resp_1')).toBe(true);
    // position: the samples of this item delivered before each frame.
    let at = 0;
    for (const c of audio) {
      expect(c.position).toBe(at);
      at += c.data.length;
    }
    expect(transcripts.at(-1)).toMatchObject({ text, done: true });
    expect(user.at(-1)).toMatchObject({
      itemId: 'item_user1',
      text: 'I just did ten reps of bench press.',
      done: true,
    });

    const items = client.items();
    expect(items.map((i) => [i.id, i.role, i.text])).toEqual([
      ['item_user1', 'user', 'I just did ten reps of bench press.'],
      ['item_asst1', 'assistant', text],
    ]);
    // No audio is retained by default; its duration is counted.
    expect(items[1].audio).toBeUndefined();
    expect(items[1].audioMs).toBeCloseTo((reply.length * 1000) / 24000, 6);

    const m = client.metrics();
    expect(m.turns).toBe(1);
    expect(m.turnLatencyP50Ms).toBeTypeOf('number');
    expect(m.turnLatencyP95Ms).toBeTypeOf('number');
    expect(new RealtimeClient().metrics().turnLatencyP50Ms).toBeUndefined();
    expect(m.messagesSent).toBe(conn.received.length);
    expect(m.errors).toBe(0);
  });

  it('speaks G.711 mu-law both ways: tone pitch survives 48 kHz → 8 kHz, output decodes through the G.711 table', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      session: {
        audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } },
      },
      batchMs: 20,
    });
    const audio: EncodedFrame[] = [];
    client.on('audio', (c) => audio.push(c as EncodedFrame));
    await client.connect();
    const conn = await server.connection(0);
    const t = tone(440, 48000, 1, 0.5);
    for (const c of chunks(t, 480)) client.appendAudio(audioFrame(c, 48000));
    client.commit();
    await conn.waitFor('input_audio_buffer.commit');
    const appends = conn
      .ofType('input_audio_buffer.append')
      .map((e) => Buffer.from(e.audio as string, 'base64'));
    for (const a of appends.slice(0, -1)) expect(a.length).toBe(160); // 20 ms of 8 kHz mu-law
    const up = mulaw.decode(new Uint8Array(Buffer.concat(appends)));
    expect(up.length).toBe(8000);
    expect(zeroCrossingFrequency(up, 8000)).toBeCloseTo(440, 0);
    expect(20 * Math.log10(rms(up) / rms(t))).toBeCloseTo(0, 0);

    const reply = speech('Logged.', 8000);
    const codes = mulaw.encode(reply);
    const done = nextEvent<unknown>((l) => client!.once('responseDone', l));
    conn.replay('audio-response-start', {
      RESPONSE: 'resp_2',
      ITEM_ID: 'item_a',
      USER_ITEM: 'item_u',
      DELTAS: [
        Buffer.from(codes.subarray(0, 1000)).toString('base64'),
        Buffer.from(codes.subarray(1000)).toString('base64'),
      ],
      TEXT_DELTAS: ['Logged.'],
    });
    conn.replay('audio-response-end', {
      RESPONSE: 'resp_2',
      ITEM_ID: 'item_a',
      USER_ITEM: 'item_u',
      TEXT: 'Logged.',
    });
    await done;
    // G.711 output passes through: the delta's bytes, bit-exact, as EncodedFrames; positions in samples.
    expect(audio.map((f) => [f.codec, f.sampleRate, f.channels, f.samples, f.position])).toEqual([
      ['pcmu', 8000, 1, 1000, 0],
      ['pcmu', 8000, 1, codes.length - 1000, 1000],
    ]);
    expect(Buffer.concat(audio.map((f) => f.data))).toEqual(Buffer.from(codes));
    expect(mulaw.decode(new Uint8Array(Buffer.concat(audio.map((f) => f.data))))).toEqual(
      mulaw.decode(codes),
    );
  });

  it('resamples output to the caller rate when outputSampleRate is set, with the resampler tail at audio done', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, outputSampleRate: 48000 });
    const audio: AudioFrame[] = [];
    client.on('audio', (c) => audio.push(c as AudioFrame));
    await client.connect();
    const conn = await server.connection(0);
    const t = tone(1000, 24000, 0.5, 0.5);
    const done = nextEvent<unknown>((l) => client!.once('responseDone', l));
    conn.replay('audio-response-start', {
      RESPONSE: 'r',
      ITEM_ID: 'i',
      USER_ITEM: 'u',
      DELTAS: chunks(t, 1000).map(toBase64),
      TEXT_DELTAS: [],
    });
    conn.replay('audio-response-end', { RESPONSE: 'r', ITEM_ID: 'i', USER_ITEM: 'u', TEXT: '' });
    await done;
    const out = concat(audio.map((c) => c.data));
    expect(audio.every((c) => c.sampleRate === 48000)).toBe(true);
    expect(out.length).toBe(t.length * 2);
    expect(zeroCrossingFrequency(out, 48000)).toBeCloseTo(1000, 0);
  });
});
