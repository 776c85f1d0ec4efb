import { audioFrame } from '@voxwire/codecs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloseEvent,
  RealtimeClient,
  type RealtimeClientError,
  type ReconnectedEvent,
  type ReconnectingEvent,
} from '../src/index.js';
import { chunks, concat, fromBase64, speech, toBase64, tone } from './helpers/audio.js';
import { nextEvent, ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

const fast = { initialDelayMs: 10, maxDelayMs: 50, factor: 2, maxRetries: 3 };

describe('reconnect and session restore', () => {
  it('server drop mid-response → backoff, reconnect, session config and conversation text restored, queued audio delivered', async () => {
    server = await ScriptedRealtimeServer.start();
    const session = {
      instructions: 'You log workouts.',
      audio: {
        input: {
          format: { type: 'audio/pcm' as const, rate: 24000 as const },
          turn_detection: { type: 'server_vad' as const, silence_duration_ms: 400 },
        },
        output: { voice: 'verse' },
      },
    };
    client = new RealtimeClient({ url: server.url, session, reconnect: fast });
    client.addTool({ name: 'log_workout', parameters: { type: 'object' } }, () => 'ok');
    await client.connect();
    const c = client;
    const first = await server.connection(0);

    // One finished turn, then a response that is cut off by the drop.
    c.sendText('I did 10 squats.', { respond: false });
    first.replay('user-turn-vad', {
      USER_ITEM: 'item_u1',
      SPEECH_START_MS: 0,
      SPEECH_END_MS: 900,
      USER_TRANSCRIPT: 'I did ten squats',
    });
    first.replay('audio-response-start', {
      RESPONSE: 'r1',
      ITEM_ID: 'item_a1',
      USER_ITEM: 'item_u1',
      DELTAS: [toBase64(tone(300, 24000, 0.2))],
      TEXT_DELTAS: ['Nice, ten squats logged.'],
    });
    first.replay('audio-response-end', {
      RESPONSE: 'r1',
      ITEM_ID: 'item_a1',
      USER_ITEM: 'item_u1',
      TEXT: 'Nice, ten squats logged.',
    });
    await nextEvent((l) => c.once('responseDone', l));
    first.replay('audio-response-start', {
      RESPONSE: 'r2',
      ITEM_ID: 'item_a2',
      USER_ITEM: 'item_u1',
      DELTAS: [toBase64(tone(300, 24000, 0.1))],
      TEXT_DELTAS: ['Anything '],
    });
    await nextEvent((l) => c.once('response.output_audio_transcript.delta', l));

    const reconnecting = nextEvent<ReconnectingEvent>((l) => c.once('reconnecting', l));
    const reconnected = nextEvent<ReconnectedEvent>((l) => c.once('reconnected', l));
    first.drop();
    const r = await reconnecting;
    expect(r.attempt).toBe(1);
    expect(r.delayMs).toBeGreaterThanOrEqual(5);
    expect(r.delayMs).toBeLessThanOrEqual(10);
    // Audio the caller keeps sending during the outage is queued, not lost.
    const during = speech('still here', 24000);
    for (const ch of chunks(during, 480)) c.appendAudio(audioFrame(ch, 24000));
    c.flushAudio();

    const done = await reconnected;
    const second = await server.connection(1);
    expect(done.planned).toBe(false);
    const update = await second.waitFor('session.update');
    expect(update.session).toMatchObject({
      type: 'realtime',
      instructions: 'You log workouts.',
      audio: {
        input: { turn_detection: { type: 'server_vad', silence_duration_ms: 400 } },
        output: { voice: 'verse' },
      },
      tools: [{ type: 'function', name: 'log_workout', parameters: { type: 'object' } }],
    });
    const restored = second.ofType('conversation.item.create').map((e) => e.item);
    expect(restored).toEqual([
      {
        type: 'message',
        role: 'user',
        id: 'item_u1',
        content: [{ type: 'input_text', text: 'I did ten squats' }],
      },
      {
        type: 'message',
        role: 'assistant',
        id: 'item_a1',
        content: [{ type: 'output_text', text: 'Nice, ten squats logged.' }],
      },
      {
        type: 'message',
        role: 'assistant',
        id: 'item_a2',
        content: [{ type: 'output_text', text: 'Anything' }],
      },
    ]);
    expect(done.restoredItems).toBe(3);
    // Session first, context next, then the audio queued while disconnected, all of it.
    await second.waitFor(
      'input_audio_buffer.append',
      () =>
        second
          .ofType('input_audio_buffer.append')
          .reduce((n, e) => n + fromBase64(e.audio as string).length, 0) >= during.length,
    );
    const types = second.received.map((e) => e.type);
    expect(types[0]).toBe('session.update');
    expect(types.indexOf('input_audio_buffer.append')).toBeGreaterThan(
      types.lastIndexOf('conversation.item.create'),
    );
    expect(
      concat(second.ofType('input_audio_buffer.append').map((e) => fromBase64(e.audio as string))),
    ).toEqual(during);
    expect(c.metrics().reconnects).toBe(1);
    expect(c.connected).toBe(true);
  });

  it('gives up after maxRetries with RECONNECT_FAILED and a close event', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, reconnect: { ...fast, maxRetries: 2 } });
    await client.connect();
    const c = client;
    const errors: RealtimeClientError[] = [];
    const attempts: number[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('reconnecting', (e) => attempts.push(e.attempt));
    const closed = nextEvent<CloseEvent>((l) => c.once('close', l));
    await server.close(); // nothing listens any more
    const ev = await closed;
    expect(attempts).toEqual([1, 2]);
    expect(errors.at(-1)?.code).toBe('RECONNECT_FAILED');
    expect(ev.reason).toMatch(/gave up reconnecting after 2 attempts/);
    expect(() => c.appendAudio(audioFrame(new Int16Array(10), 24000))).toThrow(/after close/);
  });

  it('an unanswered heartbeat drops the dead connection and reconnects', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, reconnect: fast, heartbeatIntervalMs: 40 });
    const c = client;
    const errors: RealtimeClientError[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    const first = await server.connection(0);
    const reconnected = nextEvent<ReconnectedEvent>((l) => c.once('reconnected', l));
    first.pause(); // the peer stops reading: pings go unanswered
    await reconnected;
    expect(errors.some((e) => e.code === 'CONNECTION' && /no pong/.test(e.message))).toBe(true);
    await server.connection(1);
  });

  it('rolls over to a fresh session before the session limit, make-before-break', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({
      url: server.url,
      sessionMaxMs: 300,
      rolloverMarginMs: 200,
      session: { instructions: 'keep me' },
    });
    const c = client;
    await c.connect();
    const first = await server.connection(0);
    c.sendText('remember this', { respond: false });
    first.send({
      type: 'conversation.item.added',
      item: {
        id: 'item_t',
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'remember this' }],
      },
    });
    const rolled = await nextEvent<ReconnectedEvent>((l) => c.once('reconnected', l));
    expect(rolled.planned).toBe(true);
    const second = await server.connection(1);
    expect((await second.waitFor('session.update')).session).toMatchObject({ instructions: 'keep me' });
    expect((await second.waitFor('conversation.item.create')).item).toMatchObject({
      id: 'item_t',
      content: [{ text: 'remember this' }],
    });
    // The old session was closed cleanly after the new one was ready.
    await new Promise<void>((resolve) =>
      first.closed ? resolve() : first.socket.once('close', () => resolve()),
    );
    expect(c.connected).toBe(true);
    c.sendText('after rollover', { respond: false });
    expect(
      (await second.waitFor('conversation.item.create', (e) => JSON.stringify(e).includes('after rollover')))
        .type,
    ).toBe('conversation.item.create');
  });

  it('a tool call still running when the connection drops is answered in the new session, then the model continues', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url, reconnect: fast });
    const c = client;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    c.addTool({ name: 'slow_lookup' }, async () => {
      await gate;
      return { rows: 2 };
    });
    await c.connect();
    const first = await server.connection(0);
    const called = nextEvent((l) => c.once('toolCall', l));
    const responded = nextEvent((l) => c.once('responseDone', l));
    first.replay('function-call', {
      RESPONSE: 'r1',
      ITEM_ID: 'item_fc',
      CALL_ID: 'call_slow',
      NAME: 'slow_lookup',
      ARGS: '{}',
    });
    await called;
    await responded;
    const reconnected = nextEvent((l) => c.once('reconnected', l));
    first.drop();
    await reconnected;
    const second = await server.connection(1);
    release();
    const output = await second.waitFor(
      'conversation.item.create',
      (e) => (e.item as { type: string }).type === 'function_call_output',
    );
    expect(output.item).toMatchObject({ call_id: 'call_slow', output: '{"rows":2}' });
    // The call itself was restored first, so the output refers to a call the new session knows.
    const restoredCall = second
      .ofType('conversation.item.create')
      .find((e) => (e.item as { type: string }).type === 'function_call');
    expect(restoredCall?.item).toMatchObject({ call_id: 'call_slow', name: 'slow_lookup' });
    await second.waitFor('response.create');
    expect(first.ofType('conversation.item.create')).toEqual([]);
  });

  it('close() during connect() rejects the connect and leaves nothing open', async () => {
    server = await ScriptedRealtimeServer.start();
    client = new RealtimeClient({ url: server.url });
    const pending = client.connect();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    const conn = await server.connection(0);
    await new Promise<void>((resolve) =>
      conn.closed ? resolve() : conn.socket.once('close', () => resolve()),
    );
    expect(client.connected).toBe(false);
  });
});
