import { connect as netConnect, type Socket } from 'node:net';
import { int16ToBase64 } from '@voxwire/codecs';
import { CLIENT_EVENT_TYPES } from '@voxwire/realtime-protocol';
import { handleCounts, heapAfterGcMiB, settleLeaks, waitUntil } from '@voxwire/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createRealtimeServer,
  FormantSynthesizer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '../src/index.js';
import { type Event, RawClient } from './helpers.js';

// Attacks from outside over real loopback sockets, each with a healthy session running a turn beside it.
// After each attack the server still serves, its sockets and timers are back to the baseline, and the
// attacker got a clear error event or close code.

const LIMITS = {
  maxConnections: 12,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 300,
  handshakeTimeoutMs: 500,
  closeTimeoutMs: 500,
  maxItems: 40,
  maxItemAudioMs: 10_000,
  maxConversationAudioMs: 25_000,
  maxMessageBytes: 4 * 1024 * 1024,
};

let server: RealtimeServer;
let healthy: RawClient;
let baseline: Record<string, number>;
let heapBaseline: number;

beforeAll(async () => {
  server = await createRealtimeServer({
    ...LIMITS,
    engines: {
      transcriber: new NullTranscriber(),
      synthesizer: new FormantSynthesizer(),
      responder: new ScriptedResponder([{ text: 'Still here and answering.' }]),
    },
  });
  healthy = await RawClient.connect(server.url);
  healthy.send({
    type: 'session.update',
    session: { type: 'realtime', audio: { input: { turn_detection: null } } },
  });
  await healthy.next('session.updated');
  heapBaseline = heapAfterGcMiB();
});
afterAll(async () => {
  // After every attack, the server holds no more than the healthy session did (a little slack for code
  // compiled meanwhile): nothing an attacker sent is still referenced.
  expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
  const closed = healthy.closed;
  await server.close();
  // Shutdown: the healthy client is told 1001 (going away), not cut off.
  expect(await closed).toBe(1001);
});

beforeEach(async () => {
  baseline = handleCounts();
});
afterEach(async () => {
  // Every attacker socket and timer is gone; the healthy session still answers a turn.
  await healthyTurn();
  expect(await settleLeaks(baseline, 5000)).toEqual({});
  expect(server.sessionCount).toBe(1);
});

/** One text turn on the healthy session, to completion. */
async function healthyTurn(): Promise<void> {
  const from = healthy.events.length;
  healthy.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'are you there?' }] },
  });
  healthy.send({ type: 'response.create' });
  const done = await healthy.next('response.done', () => true, from);
  expect((done.response as { status: string }).status).toBe('completed');
  expect(healthy.events.slice(from).filter((e) => e.type === 'error')).toEqual([]);
  // Keep the healthy conversation inside its item limit.
  for (const e of healthy.events.slice(from)) {
    if (e.type === 'conversation.item.added')
      healthy.send({ type: 'conversation.item.delete', item_id: (e.item as { id: string }).id });
  }
}

/** Sends `events` and waits for one answer to each (an `error`, or the event's normal reply). */
async function errorsFor(c: RawClient, events: Array<Record<string, unknown> | string>): Promise<Event[]> {
  const from = c.events.length;
  for (const e of events) {
    if (typeof e === 'string') c.sendRaw(e);
    else c.send(e);
  }
  while (c.events.slice(from).filter((e) => e.type === 'error').length < events.length)
    await c.nextNew('error');
  return c.events.slice(from).filter((e) => e.type === 'error');
}

const HUGE = 'x'.repeat(1024 * 1024);

describe('hostile input against realtime-server', () => {
  it('answers malformed and oversized fields of every client event type with typed errors', async () => {
    const c = await RawClient.connect(server.url);
    const bad: Array<Record<string, unknown> | string> = [];
    for (const type of CLIENT_EVENT_TYPES) {
      bad.push({ type, event_id: 42 });
      bad.push({ type, unexpected: HUGE });
    }
    bad.push(
      { type: 'session.update', session: null },
      { type: 'session.update', session: { type: 'realtime', instructions: 7 } },
      { type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', name: HUGE }] } },
      { type: 'input_audio_buffer.append', audio: '!!not base64!!' },
      { type: 'input_audio_buffer.append', audio: 'AA==' },
      { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [] } },
      {
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_image' }] },
      },
      { type: 'conversation.item.create', item: { type: 'mcp_call' } },
      { type: 'conversation.item.delete', item_id: HUGE },
      { type: 'conversation.item.retrieve', item_id: ['a'] },
      { type: 'conversation.item.truncate', item_id: 'x', content_index: -1, audio_end_ms: 1e308 },
      { type: 'response.create', response: { output_modalities: ['video'] } },
      {
        type: 'response.create',
        response: { input: new Array(LIMITS.maxItems + 1).fill({ type: 'item_reference', id: 'x' }) },
      },
      { type: 'response.cancel', response_id: 5 },
      '{"type":',
      JSON.stringify('just a string'),
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      'null',
    );
    const errors = await errorsFor(c, bad);
    expect(errors).toHaveLength(bad.length);
    for (const e of errors) {
      const body = e.error as { code: string; message: string; type: string };
      expect(body.type).toMatch(/_error$/);
      expect(body.code).toMatch(/^[a-z_]+$/);
      expect(body.message.length).toBeLessThanOrEqual(501);
    }
    // A message over the size limit closes the socket with 1009.
    c.sendRaw(
      JSON.stringify({ type: 'input_audio_buffer.append', audio: 'A'.repeat(LIMITS.maxMessageBytes) }),
    );
    expect(await c.closed).toBe(1009);
  });

  it('reports late and out-of-order events without harm', async () => {
    const c = await RawClient.connect(server.url);
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const done = await c.next('response.done');
    const response = done.response as { id: string; output: Array<{ id: string }> };
    const itemId = response.output[0].id;
    const errors = await errorsFor(c, [
      { type: 'response.cancel' },
      { type: 'response.cancel', response_id: response.id },
      { type: 'conversation.item.truncate', item_id: 'item_unknown', content_index: 0, audio_end_ms: 10 },
      { type: 'conversation.item.truncate', item_id: itemId, content_index: 3, audio_end_ms: 10 },
      { type: 'input_audio_buffer.commit' },
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: 'call_nope', output: '1' },
      },
      {
        type: 'conversation.item.create',
        previous_item_id: 'item_nope',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      },
    ]);
    expect(errors.map((e) => (e.error as { code: string }).code)).toEqual([
      'response_cancel_not_active',
      'response_cancel_not_active',
      'item_truncate_invalid_item_id',
      'invalid_value',
      'input_audio_buffer_commit_empty',
      'invalid_value',
      'invalid_value',
    ]);
    c.send({ type: 'conversation.item.delete', item_id: itemId });
    await c.next('conversation.item.deleted');
    const again = await errorsFor(c, [
      { type: 'conversation.item.delete', item_id: itemId },
      { type: 'conversation.item.retrieve', item_id: itemId },
    ]);
    expect(again.map((e) => (e.error as { code: string }).code)).toEqual([
      'item_delete_invalid_item_id',
      'item_retrieve_invalid_item_id',
    ]);
    // Events after the client has gone reach an ended session: nothing breaks.
    c.send({ type: 'response.create' });
    c.ws.terminate();
    await c.closed;
  });

  it('bounds the items and audio one conversation holds', async () => {
    const c = await RawClient.connect(server.url);
    for (let i = 0; i < LIMITS.maxItems; i++) {
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `${i}` }] },
      });
    }
    const [full] = await errorsFor(c, [
      {
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one more' }] },
      },
    ]);
    expect(full.error).toMatchObject({ code: 'conversation_items_limit' });
    const tooLong = new Int16Array(((LIMITS.maxItemAudioMs + 1000) * 24000) / 1000);
    // Make room, then send an item with more audio than one item may hold.
    for (const e of c.events.filter((e) => e.type === 'conversation.item.added').slice(0, 5))
      c.send({ type: 'conversation.item.delete', item_id: (e.item as { id: string }).id });
    const [audio] = await errorsFor(c, [
      {
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_audio', audio: int16ToBase64(tooLong) }],
        },
      },
    ]);
    expect(audio.error).toMatchObject({ code: 'item_audio_too_long' });
    // Over the conversation's audio limit (25 s here), the oldest item's audio is released, its words kept.
    const nineSeconds = int16ToBase64(new Int16Array(9 * 24000).fill(700));
    for (const id of ['item_a1', 'item_a2', 'item_a3']) {
      c.send({
        type: 'conversation.item.create',
        item: {
          id,
          type: 'message',
          role: 'user',
          content: [{ type: 'input_audio', audio: nineSeconds, transcript: id }],
        },
      });
      await c.next('conversation.item.added', (e) => (e.item as { id: string }).id === id);
    }
    const parts = async (id: string) => {
      c.send({ type: 'conversation.item.retrieve', item_id: id });
      const e = await c.next('conversation.item.retrieved', (r) => (r.item as { id: string }).id === id);
      return (e.item as { content: Array<{ audio?: string; transcript?: string }> }).content[0];
    };
    expect(await parts('item_a1')).toEqual({ type: 'input_audio', transcript: 'item_a1' });
    expect((await parts('item_a3')).audio?.length).toBe(nineSeconds.length);
    // The same limit holds for a manual commit of the input buffer.
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    await c.next('session.updated');
    c.send({ type: 'input_audio_buffer.append', audio: int16ToBase64(tooLong) });
    const [commit] = await errorsFor(c, [{ type: 'input_audio_buffer.commit' }]);
    expect(commit.error).toMatchObject({ code: 'item_audio_too_long' });
    c.close();
    await c.closed;
  });

  it('closes a client that does not read with 1008 instead of queueing without bound', async () => {
    const c = await RawClient.connect(server.url);
    // An item with 9 s of audio: every retrieve answers with ~580 KB.
    const audio = int16ToBase64(new Int16Array(9 * 24000).fill(1000));
    c.send({
      type: 'conversation.item.create',
      item: { id: 'item_big', type: 'message', role: 'user', content: [{ type: 'input_audio', audio }] },
    });
    await c.next('conversation.item.added');
    const socket = (c.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const before = process.memoryUsage().rss;
    const sessions = server.sessionCount;
    // 400 requests of 60 bytes would queue ~230 MB for a client that never reads.
    for (let i = 0; i < 400; i++) c.send({ type: 'conversation.item.retrieve', item_id: 'item_big' });
    await waitUntil(() => server.sessionCount < sessions, 'the non-reading client to be dropped');
    expect(server.sessionCount).toBe(sessions - 1);
    expect(process.memoryUsage().rss - before).toBeLessThan(120 * 1024 * 1024);
    socket.resume();
    expect([1008, 1006]).toContain(await c.closed);
  });

  it('refuses connections beyond maxConnections with HTTP 503 and serves again after the flood', async () => {
    const opened: WebSocket[] = [];
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: LIMITS.maxConnections + 8 }, () => {
        const ws = new WebSocket(server.url);
        return new Promise<void>((resolve) => {
          ws.once('open', () => {
            opened.push(ws);
            resolve();
          });
          ws.once('error', (err) => {
            refused.push(err.message);
            resolve();
          });
        });
      }),
    );
    expect(opened).toHaveLength(LIMITS.maxConnections - 1);
    expect(refused).toHaveLength(9);
    for (const message of refused) expect(message).toContain('503');
    await Promise.all(
      opened.map(
        (ws) =>
          new Promise((r) => {
            ws.once('close', r);
            ws.close();
          }),
      ),
    );
    while (server.sessionCount > 1) await new Promise((r) => setImmediate(r));
    const again = await RawClient.connect(server.url);
    again.close();
    await again.closed;
  });

  it('survives connection churn and abrupt destroys mid-response', async () => {
    for (let i = 0; i < 40; i++) {
      const c = await RawClient.connect(server.url);
      if (i % 2 === 0) {
        c.send({ type: 'response.create' });
        await c.next('response.output_audio.delta');
        c.ws.terminate();
      } else {
        c.close();
      }
      await c.closed;
    }
    while (server.sessionCount > 1) await new Promise((r) => setImmediate(r));
  });

  it('cuts a socket stalled in the middle of a frame (no pong) and a stalled upgrade request', async () => {
    // A peer that stalls: it sends nothing more, not even pongs.
    const ws = new WebSocket(server.url, { autoPong: false });
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    const socket = (ws as unknown as { _socket: Socket })._socket;
    // A masked text frame header announcing 16 bytes, then only 3 of them: the peer stalls mid-frame.
    socket.write(Buffer.from([0x81, 0x90, 1, 2, 3, 4, 0x61, 0x62, 0x63]));
    expect(await closed).toBe(1006);

    // An upgrade whose target is no valid URL is answered, not thrown out of the handler.
    const odd = netConnect(server.port, '127.0.0.1');
    const oddAnswer: Buffer[] = [];
    odd.on('data', (d) => oddAnswer.push(d));
    odd.write(
      'GET //a:99999 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((r) => odd.once('close', r));
    expect(Buffer.concat(oddAnswer).toString()).toMatch(/^HTTP\/1\.1 400/);

    const raw = netConnect(server.port, '127.0.0.1');
    const answer: Buffer[] = [];
    raw.on('data', (d) => answer.push(d));
    raw.write('GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await new Promise((r) => raw.once('close', r));
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 408/);
  });
});
