import type { AudioFrame } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeClientError, type UnknownEvent } from '../src/index.js';
import { toBase64, tone } from './helpers/audio.js';
import { nextEvent, ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

describe('bad server input never crashes the client', () => {
  it('malformed JSON, non-object JSON, bad audio and a throwing listener → error events; unknown types → unknown', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    const c = client;
    const errors: RealtimeClientError[] = [];
    const unknown: UnknownEvent[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('unknown', (e) => unknown.push(e));
    await c.connect();
    const conn = await server.connection(0);

    conn.sendRaw('{"type": "response.created", "response": ');
    conn.sendRaw('[1,2,3]');
    conn.sendRaw('"just a string"');
    conn.send({ type: 'response.mystery_feature', payload: { x: 1 } });
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 'not*base64!',
    });
    const tiny = nextEvent<AudioFrame>((l) => c.once('audio', (f) => l(f as AudioFrame)));
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 'AAA=',
    }); // 2 bytes: one sample
    expect((await tiny).data).toEqual(new Int16Array(1));
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 'AAAA',
    }); // 3 bytes: odd
    conn.send({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'unknown_parameter',
        message: "Unknown parameter: 'session.foo'.",
        param: 'session.foo',
      },
    });
    const buggy = () => {
      throw new Error('listener bug');
    };
    c.on('response.output_text.delta', buggy);
    conn.send({
      type: 'response.output_text.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: 'x',
    });
    // After all that, a normal audio delta still plays.
    const audio: Int16Array[] = [];
    c.on('audio', (a) => audio.push((a as AudioFrame).data));
    const good = tone(500, 24000, 0.05);
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: toBase64(good),
    });
    await nextEvent((l) => c.once('audio', l));
    expect(audio).toEqual([good]);
    c.off('response.output_text.delta', buggy);

    expect(unknown).toEqual([
      { type: 'response.mystery_feature', event: expect.objectContaining({ payload: { x: 1 } }) },
    ]);
    const summary = errors.map((e) => [e.code, e.message.slice(0, 40)]);
    expect(summary.map(([code]) => code)).toEqual([
      'PROTOCOL',
      'PROTOCOL',
      'PROTOCOL',
      'PROTOCOL',
      'PROTOCOL',
      'SERVER',
      'INVALID_ARGUMENT',
    ]);
    expect(errors[0].message).toMatch(/not JSON/);
    expect(errors[1].message).toMatch(/not an object with a string "type"/);
    expect(errors[3].message).toMatch(/undecodable audio delta.*base64/);
    expect(errors[4].message).toMatch(/undecodable audio delta.*even number of bytes/);
    expect(errors[5].serverError).toMatchObject({ code: 'unknown_parameter', param: 'session.foo' });
    expect(errors[6].message).toMatch(/listener of "response.output_text.delta" threw/);
    expect(c.connected).toBe(true);
    expect(c.metrics().errors).toBe(7);
  });

  it('accepts beta event names from older proxies as aliases', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    await client.connect();
    const conn = await server.connection(0);
    const audio = nextEvent<AudioFrame>((l) => client!.once('audio', (f) => l(f as AudioFrame)));
    const pcm = tone(300, 24000, 0.02);
    conn.send({
      type: 'response.audio.delta',
      response_id: 'r',
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: toBase64(pcm),
    });
    expect((await audio).data).toEqual(pcm);
  });
});
