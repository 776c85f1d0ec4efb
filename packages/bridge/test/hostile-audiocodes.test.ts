// The AudioCodes bot endpoint with a model behind every call, attacked from outside over loopback the way a
// stranger holding the token would: malformed and oversized input for every message type, late and
// out-of-order messages, a model that hangs up or dies, churn and abrupt drops. One healthy call runs through
// the bridge to the local realtime server beside every attack and must keep getting the agent's audio; the
// process must survive (an uncaught exception fails the run), and fds and memory must come back. The attacks
// on the transport alone (stalled, silent and non-reading sockets, connection floods, close()) are in
// @voxwire/audiocodes' hostile suite.
import {
  AudioCodesProtocolError,
  type AudioCodesServer,
  AudioCodesTestClient,
  createAudioCodesServer,
  type AudioCodesTestMessage as Json,
} from '@voxwire/audiocodes';
import { int16ToBase64 } from '@voxwire/codecs';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import {
  concat,
  heapAfterGcMiB,
  openFds,
  RawWsClient,
  rssMiB,
  speech,
  waitUntil,
} from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioCodesCallSession, bridgeCall, type CallBridge } from '../src/index.js';
import { testModel } from './model.js';

const TOKEN = 'hostile-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const MAX_CONNECTIONS = 40;

let rt: RealtimeServer;
let doomedRt: RealtimeServer | undefined;
let bot: AudioCodesServer;
let healthy: AudioCodesTestClient;
const bridges = new Map<string, CallBridge>();
const bridgeErrors = new Map<string, Error[]>();
const serverErrors: Error[] = [];
let baseFds = 0;
let streaming: NodeJS.Timeout | undefined;

beforeAll(async () => {
  rt = await createRealtimeServer({
    pacing: 'fast',
    engines: {
      responder: new ScriptedResponder(
        [
          (ctx) =>
            ctx.instructions === 'hang up'
              ? { toolCalls: [{ name: 'end_call', arguments: { reason: 'caller is done' } }] }
              : { text: 'Hello, how can I help you today?' },
          { text: 'Goodbye.' },
        ],
        { after: 'last' },
      ),
    },
  });
  bot = await createAudioCodesServer({
    port: 0,
    token: TOKEN,
    resumeTimeoutMs: 300,
    idleTimeoutMs: 1500,
    handshakeTimeoutMs: 2000,
    frameTimeoutMs: 300,
    maxConnections: MAX_CONNECTIONS,
    closeTimeoutMs: 1000,
  });
  bot.on('error', (e) => serverErrors.push(e));
  bot.on('session', (call) => {
    const url = call.botName === 'doomed' && doomedRt ? doomedRt.url : rt.url;
    const realtime = testModel(url, { instructions: call.botName === 'hangup' ? 'hang up' : 'talk' });
    const bridge = bridgeCall(audioCodesCallSession(call), realtime, { hangupDrainMs: 2000 });
    const errors: Error[] = [];
    bridge.on('error', (e) => errors.push(e));
    bridges.set(call.id, bridge);
    bridgeErrors.set(call.id, errors);
  });
  healthy = await AudioCodesTestClient.connect(bot.url, TOKEN, 'healthy');
  expect((await healthy.initiate(['raw/lpcm16_24'])).type).toBe('session.accepted');
  healthy.send({ type: 'userStream.start' });
  await healthy.waitType('userStream.started');
  // Like VAIC, the healthy caller streams all the time (silence between its words).
  const silence = int16ToBase64(new Int16Array(4800));
  streaming = setInterval(() => healthy.send({ type: 'userStream.chunk', audioChunk: silence }), 200);
  await healthyTurn();
  baseFds = openFds();
}, 60_000);

afterAll(async () => {
  clearInterval(streaming);
  await healthy?.close();
  await bot?.close();
  await rt?.close();
  await doomedRt?.close();
});

/** The healthy caller speaks and hears the agent answer: new play-stream audio after its words. */
async function healthyTurn(): Promise<void> {
  const from = healthy.received.length;
  for (const audioChunk of spoken('Hello there.')) healthy.send({ type: 'userStream.chunk', audioChunk });
  await waitUntil(
    () => healthy.received.slice(from).some((m) => m.type === 'playStream.stop'),
    'the healthy call to hear an answer',
    20_000,
  );
  const chunks = healthy.received.slice(from).filter((m) => m.type === 'playStream.chunk');
  expect(chunks.length).toBeGreaterThan(0);
  expect(bot.sessions.get('healthy')?.ended).toBe(false);
}

/** Words then 0.7 s of silence (a turn for the server VAD), as 100 ms base64 chunks of 24 kHz PCM. */
function spoken(text: string): string[] {
  const pcm = concat(speech(text, 24000), new Int16Array(24000 * 0.7));
  const out: string[] = [];
  for (let i = 0; i < pcm.length; i += 2400) out.push(int16ToBase64(pcm.subarray(i, i + 2400)));
  return out;
}

/** Every attacker conversation is gone and the process holds no more fds than with the healthy call alone. */
async function backToBaseline(): Promise<void> {
  await waitUntil(() => bot.sessions.size === 1, 'attacker conversations to end');
  await waitUntil(
    () => [...bridges.entries()].every(([id, b]) => id === 'healthy' || !b.realtime.connected),
    'model sessions to close',
  );
  await waitUntil(() => bot.connections === 1, 'attacker sockets to close');
  await waitUntil(() => openFds() <= baseFds, `fds back to ${baseFds} (now ${openFds()})`);
}

/** Heap (after a full collection), memory outside the heap (Buffers) and RSS, MiB. */
function memory(): { heapMb: number; externalMb: number; rssMb: number } {
  const heapMb = heapAfterGcMiB();
  return { heapMb, externalMb: process.memoryUsage().external / 2 ** 20, rssMb: rssMiB() };
}

/** Opens `count` conversations from 8 callers and abandons each (a third by a dropped socket). */
async function churn(count: number, prefix: string): Promise<void> {
  let n = 0;
  const worker = async () => {
    while (n < count) {
      const i = n++;
      const c = await AudioCodesTestClient.connect(bot.url, TOKEN, `${prefix}-${i}`);
      await c.initiate(['raw/lpcm16_24']);
      if (i % 3 === 0) c.ws.terminate();
      else await c.close(); // no session.end: abandoned
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (let i = 0; i < 20; i++) {
    const c = await rawConversation(`${prefix}-drop-${i}`); // dropped mid-frame
    c.frame(0x1, Buffer.alloc(100, 0x20), { truncateTo: 10 });
    c.destroy();
  }
  await backToBaseline();
  for (const [id] of bridges) if (id !== 'healthy') bridges.delete(id);
}

async function rawConversation(cid: string, botName = 'attacker'): Promise<RawWsClient> {
  const c = await RawWsClient.connect(bot.url, AUTH);
  expect(c.status).toBe(101);
  c.send({
    type: 'session.initiate',
    conversationId: cid,
    botName,
    supportedMediaFormats: ['raw/lpcm16_24'],
  });
  await waitUntil(() => c.messages.some((m) => (m as Json).type === 'session.accepted'), 'session.accepted');
  return c;
}

const types = (c: RawWsClient | AudioCodesTestClient) =>
  ('received' in c ? c.received : (c.messages as Json[])).map((m) => m.type);

describe('AudioCodes endpoint under hostile input', () => {
  it('answers malformed input of every message type with typed errors, and the calls go on', {
    timeout: 60_000,
  }, async () => {
    const a = await AudioCodesTestClient.connect(bot.url, TOKEN, 'bad-1');
    const long = 'x'.repeat(60_000);
    const before = [
      '{not json',
      '5',
      'null',
      '[]',
      JSON.stringify({ conversationId: 'bad-1' }),
      JSON.stringify({ type: long, conversationId: 'bad-1' }),
      JSON.stringify({ type: { toString: 1 }, conversationId: 'bad-1' }),
      JSON.stringify({
        type: 'session.initiate',
        conversationId: 'bad-1',
        supportedMediaFormats: 'raw/mulaw',
      }),
      JSON.stringify({ type: 'session.initiate', conversationId: 'bad-1', supportedMediaFormats: [null] }),
      JSON.stringify({
        type: 'session.initiate',
        conversationId: 'bad-1',
        supportedMediaFormats: Array(33).fill('raw/mulaw'),
      }),
      JSON.stringify({
        type: 'session.initiate',
        conversationId: long,
        supportedMediaFormats: ['raw/mulaw'],
      }),
      JSON.stringify({
        type: 'session.initiate',
        conversationId: 'bad-1',
        botName: 7,
        supportedMediaFormats: ['raw/mulaw'],
      }),
      JSON.stringify({
        type: 'session.initiate',
        conversationId: 'bad-1',
        expectAudioMessages: 'yes',
        supportedMediaFormats: ['raw/mulaw'],
      }),
      JSON.stringify({ type: 'session.initiate', conversationId: 'bad-1', supportedMediaFormats: [long] }),
      JSON.stringify({ type: 'session.resume', conversationId: 'nobody' }),
      JSON.stringify({ type: 'session.resume', conversationId: 'healthy', extra: 1 }).replace(
        'healthy',
        'healthy2',
      ),
      JSON.stringify({ type: 'userStream.start', conversationId: 'bad-1' }),
      JSON.stringify({ type: 'userStream.chunk', conversationId: 'bad-1', audioChunk: 'AAAA' }),
      JSON.stringify({ type: 'activities', conversationId: 'bad-1', activities: null }),
      JSON.stringify({ type: 'session.end', conversationId: 'bad-1' }),
      JSON.stringify({ type: 'connection.validate', conversationId: 5 }),
    ];
    for (const text of before) a.sendRaw(text);
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitUntil(
      () => a.received.filter((m) => m.type === 'session.error').length === before.length + 1,
      'a session.error for each',
    );
    for (const m of a.received) expect(String(m.reason).length).toBeLessThan(400);

    expect((await a.initiate(['raw/lpcm16_24'])).type).toBe('session.accepted');
    const errors = bridgeErrors.get('bad-1') ?? [];
    const inSession: unknown[] = [
      { type: 'activities', activities: null },
      { type: 'activities', activities: 5 },
      { type: 'activities', activities: [null] },
      { type: 'activities', activities: [{ type: 'event', name: 'dtmf', value: { toString: 1 } }] },
      { type: 'activities', activities: [{ type: 'event', name: 'dtmf', value: long }] },
      { type: 'activities', activities: [{ type: 'event', name: 'x', parameters: [] }] },
      { type: 'activities', activities: Array(65).fill({ type: 'event', name: 'x' }) },
      { type: 'userStream.chunk', audioChunk: int16ToBase64(new Int16Array(4)) }, // before start
      { type: 'userStream.start', extra: { deep: [1, 2] } },
      { type: 'userStream.chunk', audioChunk: 12 },
      { type: 'userStream.chunk', audioChunk: '!!!' },
      { type: 'userStream.chunk', audioChunk: 'AAAA' }, // 3 bytes: odd for PCM16
      { type: 'userStream.chunk' },
      { type: 'session.end', reason: { toString: 1 } },
      { type: 'session.initiate', supportedMediaFormats: ['raw/lpcm16'] },
      { type: long },
      { type: 'userStream.stop', conversationId: 'someone-else' },
    ];
    const sent = inSession.length;
    for (const m of inSession) a.send(m as Record<string, unknown>);
    a.ws.send(Buffer.from([0]), { binary: true });
    await waitUntil(
      () => errors.length >= sent,
      `${sent} errors on the attacker's call (got ${errors.length})`,
    );
    for (const e of errors) {
      expect(e).toBeInstanceOf(AudioCodesProtocolError);
      expect(e.message.length).toBeLessThan(400);
    }
    expect(new Set(errors.map((e) => (e as AudioCodesProtocolError).code))).toEqual(
      new Set(['BAD_FIELD', 'BAD_STATE', 'BAD_AUDIO', 'UNKNOWN_TYPE', 'BAD_CONVERSATION', 'BINARY_FRAME']),
    );
    expect(bot.sessions.get('bad-1')?.ended).toBe(false);
    // Outside a conversation the errors went to the server, quoting no more of the peer than inside.
    expect(serverErrors.length).toBeGreaterThan(0);
    expect(serverErrors.every((e) => e.message.length < 400)).toBe(true);
    await healthyTurn();

    // A message over the size limit closes the socket with 1009; the conversation waits for a resume, then ends.
    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    a.send({ type: 'userStream.chunk', audioChunk: 'A'.repeat(300 * 1024) });
    expect(await closed).toBe(1009);
    await healthyTurn();
    await backToBaseline();
  });

  it('ignores late input after the model hangs up, and closes the socket with 1000', {
    timeout: 60_000,
  }, async () => {
    const c = await rawConversation('late-1', 'hangup');
    c.endOnClose = false;
    c.send({ type: 'userStream.start', conversationId: 'late-1' });
    for (const audioChunk of spoken('Goodbye now.'))
      c.send({ type: 'userStream.chunk', conversationId: 'late-1', audioChunk });
    await waitUntil(
      () => (c.messages as Json[]).some((m) => m.type === 'activities'),
      'the hang-up activity',
      20_000,
    );
    expect((c.messages as Json[]).find((m) => m.type === 'activities')?.activities).toEqual([
      { type: 'event', name: 'hangup' },
    ]);
    // What VAIC may still send before it sees the close: audio, a key press, garbage, a second end.
    c.send({
      type: 'userStream.chunk',
      conversationId: 'late-1',
      audioChunk: int16ToBase64(new Int16Array(480)),
    });
    c.send({
      type: 'activities',
      conversationId: 'late-1',
      activities: [{ type: 'event', name: 'dtmf', value: '1' }],
    });
    c.send('{garbage');
    c.send({ type: 'activities', conversationId: 'late-1', activities: null });
    c.send({ type: 'session.end', conversationId: 'late-1' });
    await waitUntil(() => c.closeCode !== null, 'the close frame');
    c.replyClose();
    await c.waitClosed();
    expect(c.closeCode).toBe(1000);
    expect(bridges.get('late-1')?.call.ended).toBe(true);
    expect((await bridges.get('late-1')?.done)?.reason).toBe('caller is done');
    await healthyTurn();
    await backToBaseline();
  });

  it('hangs up cleanly when the model dies mid-call, and ignores the chunks that follow', {
    timeout: 60_000,
  }, async () => {
    doomedRt = await createRealtimeServer({
      pacing: 'realtime',
      engines: {
        responder: new ScriptedResponder([
          { text: 'A long answer that keeps going for a while, on and on.' },
        ]),
      },
    });
    const c = await rawConversation('doomed-1', 'doomed');
    c.endOnClose = false;
    await waitUntil(() => bridges.get('doomed-1')?.realtime.connected === true, 'the model session');
    c.send({ type: 'userStream.start', conversationId: 'doomed-1' });
    for (const audioChunk of spoken('Tell me something.'))
      c.send({ type: 'userStream.chunk', conversationId: 'doomed-1', audioChunk });
    await waitUntil(() => types(c).includes('playStream.chunk'), 'agent audio', 20_000);
    await doomedRt.close();
    doomedRt = undefined;
    await waitUntil(() => types(c).includes('activities'), 'the hang-up activity');
    for (let i = 0; i < 20; i++) {
      c.send({
        type: 'userStream.chunk',
        conversationId: 'doomed-1',
        audioChunk: int16ToBase64(new Int16Array(480)),
      });
    }
    await waitUntil(() => c.closeCode !== null, 'the close frame');
    c.replyClose();
    await c.waitClosed();
    expect(c.closeCode).toBe(1000);
    expect(types(c)).toContain('activities');
    expect((await bridges.get('doomed-1')?.done)?.reason).toMatch(/model session closed/);
    await healthyTurn();
    await backToBaseline();
  });

  it('releases 1000 abandoned conversations promptly: fds and memory back to baseline', {
    timeout: 240_000,
  }, async () => {
    // A warm-up round first: the allocator keeps the pages it grew to at this concurrency (RSS plateaus
    // after about 2000 conversations on Node 24), and that one-time growth is not a leak.
    await churn(1000, 'warm');
    const mem0 = memory();
    await churn(1000, 'churn');
    const mem = memory();
    expect(mem.heapMb - mem0.heapMb).toBeLessThan(10);
    expect(mem.rssMb - mem0.rssMb).toBeLessThan(80); // 80 KiB per abandoned conversation
    // Buffers' backing stores are freed on a later tick than the collection that found them dead.
    await waitUntil(() => memory().externalMb - mem0.externalMb < 10, 'memory outside the heap to be freed');
    await healthyTurn();
  });
});
