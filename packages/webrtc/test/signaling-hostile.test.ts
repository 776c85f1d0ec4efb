import { connect } from 'node:net';
import { audioFrame } from '@voxwire/codecs';
import {
  clientFrame,
  handleCounts,
  heapAfterGcMiB,
  openFds,
  rawHttpStatus,
  rawUpgrade,
  rssMiB,
  settleLeaks,
  upgradeRequest,
  waitUntil,
} from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSignalingServer,
  type SignalingServer,
  WebRtcAudioPeer,
  type WebRtcError,
} from '../src/index.js';
import { concat, dominantFrequency, tone } from './helpers/audio.js';
import { collectAudio, eventWithin, LOOPBACK } from './helpers/peers.js';
import { openClient, type TestClient } from './helpers/ws-client.js';

// Attacks on the signaling server from outside over loopback, while a healthy session runs beside them: a
// Node peer in a call with a server-side peer that echoes its audio, and two clients of a room relaying
// to each other. After each attack the healthy call still echoes a tone, the room still relays, the
// attacker got an error or close code, and fds/handles come back to baseline.

const LIMITS = {
  maxClients: 10,
  maxSessionsPerClient: 2,
  maxBufferedBytes: 256 * 1024,
  pingIntervalMs: 1500,
  closeTimeoutMs: 300,
  handshakeTimeoutMs: 800,
};

let server: SignalingServer;
let caller: TestClient;
let callerPeer: WebRtcAudioPeer;
let alice: TestClient;
let bob: TestClient;
let bobId: string;
let fdBaseline: number;
let handleBaseline: Record<string, number>;
let heapBaseline: number;
const closedClients: string[] = [];
const reported = new Map<string, WebRtcError>();

async function healthyStillWorks(): Promise<void> {
  // The call: a 660 Hz tone goes to the server peer and comes back.
  const heard = collectAudio(callerPeer, 0.5);
  callerPeer.sendAudio(audioFrame(tone(660, 48000, 0.8), 48000));
  await heard.done;
  expect(Math.abs(dominantFrequency(concat(heard.chunks).subarray(4800), 48000) - 660)).toBeLessThan(5);
  // The room relays, and the server answers.
  alice.send({ type: 'offer', id: 'h', sdp: 'v=0 healthy', to: bobId });
  expect(await bob.next('offer')).toMatchObject({ sdp: 'v=0 healthy' });
  caller.send({ type: 'ping' });
  await caller.next('pong');
  expect(server.sessionCount).toBe(1);
}

async function backToBaseline(): Promise<void> {
  await waitUntil(
    () => server.clientCount === 3 && server.sessionCount === 1,
    `only the healthy clients left (clients ${server.clientCount}, sessions ${server.sessionCount})`,
  );
  await waitUntil(() => openFds() <= fdBaseline + 1, `fds back to ${fdBaseline} (now ${openFds()})`);
  expect(await settleLeaks(handleBaseline)).toEqual({});
  // What the attack made the server allocate is released (slack for the healthy session's own churn).
  expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
}

beforeAll(async () => {
  server = await createSignalingServer({
    port: 0,
    peer: LOOPBACK,
    ...LIMITS,
    onPeer: (peer) => peer.on('audio', (frame) => peer.sendAudio(frame)),
  });
  server.on('client-close', (id) => closedClients.push(id));
  server.on('protocol-error', (err, id) => reported.set(id, err));
  caller = await openClient(server.url);
  await caller.next('welcome');
  callerPeer = new WebRtcAudioPeer(LOOPBACK);
  caller.send({ type: 'offer', id: 'call', sdp: await callerPeer.createOffer() });
  const up = eventWithin(callerPeer, 'connected', 40000);
  await callerPeer.acceptAnswer((await caller.next('answer')).sdp);
  await up;
  alice = await openClient(server.url);
  bob = await openClient(server.url);
  await alice.next('welcome');
  bobId = (await bob.next('welcome')).peerId;
  alice.send({ type: 'join', room: 'healthy' });
  bob.send({ type: 'join', room: 'healthy' });
  await alice.next('joined');
  await bob.next('joined');
  await healthyStillWorks();
  fdBaseline = openFds();
  handleBaseline = handleCounts();
  heapBaseline = heapAfterGcMiB();
}, 60_000);

afterAll(async () => {
  await callerPeer?.close();
  await server?.close();
});

describe('signaling server under attack (a healthy call and room beside each attack)', () => {
  it('malformed and oversized input for every message type: error replies, 1009 for oversized', async () => {
    const bad = await openClient(server.url);
    await bad.next('welcome');
    const cases: [unknown, string][] = [
      ['{"type":', 'PROTOCOL_ERROR'],
      ['[1,2]', 'PROTOCOL_ERROR'],
      [{ type: 'x'.repeat(60_000) }, 'PROTOCOL_ERROR'],
      [{ type: 'join' }, 'PROTOCOL_ERROR'],
      [{ type: 'join', room: 'r'.repeat(200) }, 'PROTOCOL_ERROR'],
      [{ type: 'offer', id: 's' }, 'PROTOCOL_ERROR'],
      [{ type: 'offer', id: 's', sdp: 'not sdp' }, 'BAD_SDP'],
      [{ type: 'answer', id: 's', sdp: 'v=0' }, 'INVALID_STATE'],
      [{ type: 'candidate', id: 's', candidate: 5 }, 'PROTOCOL_ERROR'],
      [{ type: 'candidate', id: 'nope', candidate: null }, 'NOT_FOUND'],
      [{ type: 'bye', id: 'nope' }, 'NOT_FOUND'],
      [{ type: 'offer', id: 's', sdp: 'v=0', to: bobId }, 'NOT_FOUND'], // not in bob's room
      [{ type: 'ping', to: 5 }, 'PROTOCOL_ERROR'],
    ];
    for (const [input, code] of cases) {
      bad.send(input as string);
      const err = await bad.next('error');
      expect(err.code, JSON.stringify(input).slice(0, 80)).toBe(code);
      expect(err.message.length).toBeLessThan(300); // a 60 KB type is not echoed back whole
    }
    const closed = new Promise<number>((resolve) => bad.ws.once('close', (code) => resolve(code)));
    bad.send({ type: 'offer', id: 's', sdp: 'v'.repeat(300 * 1024) }); // over maxMessageBytes (256 KiB)
    expect(await closed).toBe(1009);
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a room peer that stops reading is dropped with 1008 once maxBufferedBytes wait for it', async () => {
    const sender = await openClient(server.url);
    await sender.next('welcome');
    sender.send({ type: 'join', room: 'flood' });
    await sender.next('joined');
    const receiver = await rawUpgrade(server.url);
    receiver.socket.write(clientFrame(JSON.stringify({ type: 'join', room: 'flood' })));
    const receiverId = (await sender.next('peer-joined')).peerId;
    receiver.socket.pause(); // never reads again
    const rss = rssMiB();
    const sdp = `v=0 ${'x'.repeat(60_000)}`;
    for (let i = 0; i < 400 && !closedClients.includes(receiverId); i++) {
      sender.send({ type: 'offer', id: `o${i}`, sdp, to: receiverId });
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => closedClients.includes(receiverId), 'the non-reading peer was dropped');
    expect(rssMiB() - rss).toBeLessThan(100); // before: +540 MB in 30 s
    // Its close frame (1008) waits behind what it never read, so the reason is told to the server's log.
    expect(reported.get(receiverId)).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringMatching(/not reading/),
    });
    receiver.socket.resume();
    await receiver.ended;
    await sender.close();
    await healthyStillWorks();
    await backToBaseline();
  });

  it('caps server-side peers per connection and reaps them (and queued offers) when the connection goes', async () => {
    const bad = await openClient(server.url);
    await bad.next('welcome');
    const local = new WebRtcAudioPeer(LOOPBACK);
    const sdp = await local.createOffer();
    for (let i = 0; i < 4; i++) bad.send({ type: 'offer', id: `p${i}`, sdp });
    await bad.next('answer');
    await bad.next('answer');
    expect(await bad.next('error')).toMatchObject({ code: 'LIMIT_EXCEEDED', id: 'p2' });
    expect(await bad.next('error')).toMatchObject({ code: 'LIMIT_EXCEEDED', id: 'p3' });
    expect(server.sessionCount).toBe(3);
    // A burst of offers, then the connection vanishes while they are queued.
    for (let i = 0; i < 200; i++) bad.send({ type: 'bye', id: `p${i % 2}` });
    for (let i = 0; i < 200; i++) bad.send({ type: 'offer', id: `q${i}`, sdp });
    bad.ws.terminate();
    await local.close();
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a request target that is no URL (//x:abc) gets 400 as an upgrade and 404 as a page, and the server goes on', async () => {
    expect(await rawHttpStatus(server.port, upgradeRequest('//x:abc'))).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawHttpStatus(server.port, 'GET //x:abc HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 404 Not Found',
    );
    await healthyStillWorks();
    await backToBaseline();
  });

  it('stalled sockets are dropped: half a frame (no pong), half an upgrade, silence', async () => {
    const stalled = await rawUpgrade(server.url);
    stalled.socket.write(clientFrame(JSON.stringify({ type: 'ping' })).subarray(0, 5));
    const halfUpgrade = connect(server.port, '127.0.0.1');
    halfUpgrade.on('error', () => {});
    const halfClosed = new Promise<void>((resolve) => halfUpgrade.once('close', () => resolve()));
    halfUpgrade.write('GET /webrtc HTTP/1.1\r\nHost: x\r\n');
    const silent = connect(server.port, '127.0.0.1');
    silent.on('error', () => {});
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    await Promise.all([stalled.ended, halfClosed, silentClosed]);
    expect(stalled.closeCode()).toBe(1001);
    await healthyStillWorks();
    await backToBaseline();
  });

  it('connection flood and churn: over maxClients refused with 503, abrupt destroys cleaned up', async () => {
    const opened = await Promise.allSettled(Array.from({ length: 12 }, () => rawUpgrade(server.url)));
    const ok = opened.filter((r) => r.status === 'fulfilled');
    const refused = opened.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(LIMITS.maxClients - 3); // the healthy session holds three
    for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toMatch(/503/);
    for (const r of ok)
      (r as PromiseFulfilledResult<Awaited<ReturnType<typeof rawUpgrade>>>).value.socket.destroy();
    await waitUntil(() => server.clientCount === 3, 'the flood is gone');
    // Any other path on the server's own port is answered, not left hanging.
    await expect(rawUpgrade(server.url.replace('/webrtc', '/elsewhere'))).rejects.toThrow(/404/);
    for (let i = 0; i < 100; i++) {
      const raw = await rawUpgrade(server.url);
      raw.socket.write(clientFrame(JSON.stringify({ type: 'join', room: 'healthy' })));
      raw.socket.destroy();
    }
    await healthyStillWorks();
    await backToBaseline();
  });
});

describe('signaling server shutdown', () => {
  it('close() sends 1001 to every client and returns even when one never answers', async () => {
    const own = await createSignalingServer({ port: 0, closeTimeoutMs: 200 });
    const a = await openClient(own.url);
    const raw = await rawUpgrade(own.url);
    raw.socket.pause();
    const code = new Promise<number>((resolve) => a.ws.once('close', (c) => resolve(c)));
    await own.close();
    expect(await code).toBe(1001);
    raw.socket.resume();
    await raw.ended;
    expect(raw.closeCode()).toBe(1001);
  });
});
