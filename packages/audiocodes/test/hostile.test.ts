// The AudioCodes transport attacked from outside over loopback, with no model behind it: silent, stalled,
// trickling, idle and non-reading sockets, and a connection flood. One healthy conversation echoes its
// caller's audio beside every attack and must keep doing so; the process must survive (an uncaught
// exception fails the run) and its fds must come back. (`@voxwire/bridge`'s hostile suite runs the same
// endpoint with a model behind each call: malformed input, late input, a dying model, churn.)
import { audioFrame, int16ToBase64 } from '@voxwire/codecs';
import { openFds, RawWsClient, rssMiB, tone, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AudioCodesServer,
  AudioCodesTestClient,
  type AudioCodesTestMessage,
  createAudioCodesServer,
} from '../src/index.js';

const TOKEN = 'hostile-transport-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const MAX_CONNECTIONS = 40;

let bot: AudioCodesServer;
let healthy: AudioCodesTestClient;
let baseFds = 0;
let keepAlive: NodeJS.Timeout | undefined;
const serverErrors: Error[] = [];

beforeAll(async () => {
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
  // Every conversation echoes what its caller says, one play stream per userStream.
  bot.on('session', (call) => {
    call.on('error', () => {});
    call.on('audio', (frame) => call.sendAudio(frame));
  });
  healthy = await AudioCodesTestClient.connect(bot.url, TOKEN, 'healthy');
  expect((await healthy.initiate(['raw/lpcm16_24'])).type).toBe('session.accepted');
  healthy.send({ type: 'userStream.start' });
  await healthy.waitType('userStream.started');
  // Like VAIC, the healthy side is never silent for the idle timeout (an empty activities message).
  keepAlive = setInterval(() => healthy.send({ type: 'activities', activities: [] }), 200);
  await healthyEcho();
  baseFds = openFds();
});

afterAll(async () => {
  clearInterval(keepAlive);
  await healthy?.close();
  await bot?.close();
});

/** The healthy caller speaks 100 ms of tone and hears exactly it back. */
async function healthyEcho(): Promise<void> {
  const from = healthy.received.length;
  const pcm = tone(440, 24000, 2400, 0.3);
  healthy.send({ type: 'userStream.chunk', audioChunk: int16ToBase64(pcm) });
  const chunk = await healthy.waitType('playStream.chunk', from);
  expect(Buffer.from(String(chunk.audioChunk), 'base64')).toEqual(Buffer.from(pcm.buffer));
  expect(bot.sessions.get('healthy')?.ended).toBe(false);
}

/** Every attacker is gone and the process holds no more fds than with the healthy call alone. */
async function backToBaseline(): Promise<void> {
  await waitUntil(() => bot.sessions.size === 1, 'attacker conversations to end');
  await waitUntil(() => bot.connections === 1, 'attacker sockets to close');
  await waitUntil(() => openFds() <= baseFds, `fds back to ${baseFds} (now ${openFds()})`);
}

async function rawConversation(cid: string): Promise<RawWsClient> {
  const c = await RawWsClient.connect(bot.url, AUTH);
  expect(c.status).toBe(101);
  c.send({ type: 'session.initiate', conversationId: cid, supportedMediaFormats: ['raw/lpcm16_24'] });
  await waitUntil(
    () => c.messages.some((m) => (m as AudioCodesTestMessage).type === 'session.accepted'),
    'session.accepted',
  );
  return c;
}

const types = (c: RawWsClient) => (c.messages as AudioCodesTestMessage[]).map((m) => m.type);

describe('AudioCodes transport under hostile input', () => {
  it('times out silent, stalled and idle sockets with 1008, and drops a peer that stops reading', {
    timeout: 60_000,
  }, async () => {
    const silent = await RawWsClient.connect(bot.url, AUTH);
    const midFrame = await RawWsClient.connect(bot.url, AUTH);
    midFrame.frame(0x1, Buffer.from(JSON.stringify({ type: 'connection.validate', pad: 'x'.repeat(300) })), {
      truncateTo: 40,
    });
    const trickle = await RawWsClient.connect(bot.url, AUTH);
    trickle.frame(0x1, Buffer.alloc(200, 0x20), { truncateTo: 1 }); // half a header
    const idle = await rawConversation('idle-1');
    await Promise.all([silent.waitClosed(), midFrame.waitClosed(), trickle.waitClosed(), idle.waitClosed()]);
    for (const c of [silent, midFrame, trickle, idle]) expect(c.closeCode).toBe(1008);
    expect(types(idle)).toContain('activities'); // told to hang up before the close

    const deaf = await rawConversation('deaf-1');
    deaf.stopReading();
    const session = bot.sessions.get('deaf-1');
    const errors: Error[] = [];
    session?.on('error', (e) => errors.push(e));
    const rss0 = rssMiB();
    const second = audioFrame(tone(440, 24000, 24000, 0.3), 24000);
    for (let i = 0; i < 400 && !session?.ended; i++) {
      session?.sendAudio(second); // 400 s of agent audio toward a peer that reads none of it
      await new Promise((r) => setImmediate(r)); // let the socket try to flush
    }
    expect(session?.endReason).toBe('VAIC stopped reading');
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual(['LIMIT_EXCEEDED']);
    expect(rssMiB() - rss0).toBeLessThan(100);
    deaf.destroy();
    await healthyEcho();
    await backToBaseline();
  });

  it('refuses a connection flood past the cap with 503, then serves again', { timeout: 60_000 }, async () => {
    const flood = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS - 1 }, () => RawWsClient.connect(bot.url, AUTH)),
    );
    expect(flood.every((c) => c.status === 101)).toBe(true);
    const refused = await RawWsClient.connect(bot.url, AUTH);
    expect(refused.status).toBe(503);
    await refused.waitClosed();
    expect(serverErrors.at(-1)).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const unauth = await RawWsClient.connect(bot.url);
    expect(unauth.status).toBe(401);
    const wrongPath = await RawWsClient.connect(bot.url.replace('/audiocodes', '/nope'), AUTH);
    expect(wrongPath.status).toBe(404);
    await Promise.all([unauth.waitClosed(), wrongPath.waitClosed()]);
    for (const c of flood) c.destroy();
    await healthyEcho();
    await backToBaseline();
    const again = await rawConversation('after-flood');
    again.destroy();
    await backToBaseline();
  });

  it('close() tells every caller to hang up, closes with 1001 and drains; a second close() is a no-op', {
    timeout: 30_000,
  }, async () => {
    const conv = await rawConversation('closing-1');
    const bare = await RawWsClient.connect(bot.url, AUTH);
    const healthyClosed = new Promise<number>((resolve) => healthy.ws.once('close', (code) => resolve(code)));
    await Promise.all([bot.close(), bot.close()]);
    await Promise.all([conv.waitClosed(), bare.waitClosed()]);
    expect(conv.closeCode).toBe(1001);
    expect(types(conv)).toContain('activities');
    expect(bare.closeCode).toBe(1001);
    expect(await healthyClosed).toBe(1001);
    expect(bot.connections).toBe(0);
    expect(serverErrors.every((e) => e.message.length < 400)).toBe(true);
    await bot.close();
  });
});
