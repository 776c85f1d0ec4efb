import { audioFrame } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type OverflowInfo, RealtimeClient } from '../src/index.js';
import { fromBase64, tone } from './helpers/audio.js';
import { ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

describe('slow socket', () => {
  it('queues up to the bound, drops the oldest audio with an overflow event, and loses nothing silently', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      highWaterMarkBytes: 64 * 1024,
      maxQueueBytes: 256 * 1024,
    });
    const c = client;
    const overflows: OverflowInfo[] = [];
    c.on('overflow', (o) => overflows.push(o));
    await c.connect();
    const conn = await server.connection(0);
    await conn.waitFor('session.update');
    conn.pause(); // the server stops reading; kernel buffers fill, then ws buffers, then our queue

    // 200 s of 24 kHz audio, each 100 ms chunk tagged with its index in the first sample.
    const chunk = tone(440, 24000, 0.1);
    const total = 2000;
    for (let i = 0; i < total; i++) {
      chunk[0] = i;
      c.appendAudio(audioFrame(chunk, 24000));
    }
    c.commit(); // a control event: never dropped
    expect(overflows.length).toBeGreaterThan(0);
    expect(overflows.every((o) => o.reason === 'backpressure' && o.queuedBytes <= 256 * 1024 + 7000)).toBe(
      true,
    );
    conn.resume();
    await conn.waitFor('input_audio_buffer.commit');

    const received = conn.ofType('input_audio_buffer.append').map((e) => fromBase64(e.audio as string));
    const droppedMs = overflows.reduce((n, o) => n + o.droppedAudioMs, 0);
    const droppedMessages = overflows.reduce((n, o) => n + o.droppedMessages, 0);
    expect(received.length + droppedMessages).toBe(total);
    expect(received.length * 100 + droppedMs).toBeCloseTo(total * 100, 6);
    // What arrived is in order, and what was dropped is a contiguous run of the oldest queued audio.
    const ids = received.map((r) => r[0]);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
    expect(ids.at(-1)).toBe(total - 1);
    expect(c.metrics().droppedAudioMs).toBeCloseTo(droppedMs, 6);
  });
});
