import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { audioFrame } from '@voxwire/codecs';
import { handleCounts, selfSignedCert, settleLeaks } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createSignalingServer, type SignalingServer, WebRtcAudioPeer } from '../src/index.js';
import { concat, dominantFrequency, tone } from './helpers/audio.js';
import { collectAudio, eventWithin, LOOPBACK } from './helpers/peers.js';
import { openClient } from './helpers/ws-client.js';

let server: SignalingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('signaling server', () => {
  it('answers a Node peer’s offer with a server-side peer, carries audio, and cleans up when the client vanishes', async () => {
    const baseline = handleCounts();
    const serverPeers: WebRtcAudioPeer[] = [];
    server = await createSignalingServer({
      port: 0,
      peer: LOOPBACK,
      onPeer: (peer, session) => {
        expect(session.id).toBe('call-1');
        serverPeers.push(peer);
      },
    });
    const client = await openClient(server.url);
    const welcome = await client.next('welcome');
    expect(welcome.peerId).toMatch(/[0-9a-f-]{36}/);

    const peer = new WebRtcAudioPeer(LOOPBACK);
    client.send({ type: 'offer', id: 'call-1', sdp: await peer.createOffer() });
    const answer = await client.next('answer');
    expect(answer.id).toBe('call-1');
    const up = eventWithin(peer, 'connected', 40000);
    await peer.acceptAnswer(answer.sdp);
    await up;
    expect(server.sessionCount).toBe(1);

    const [remote] = serverPeers;
    const heard = collectAudio(remote, 0.8);
    peer.sendAudio(audioFrame(tone(660, 48000, 1.2), 48000));
    await heard.done;
    expect(dominantFrequency(concat(heard.chunks).subarray(9600), 48000)).toBeCloseTo(660, 0);

    // The client disappears without a bye: its session is closed and released.
    const closed = eventWithin(remote, 'close', 40000);
    client.ws.terminate();
    await closed;
    expect(server.sessionCount).toBe(0);
    await peer.close();
    await server.close();
    server = undefined;
    expect(await settleLeaks(baseline)).toEqual({});
  });

  it('answers bad input with error messages and keeps serving', async () => {
    server = await createSignalingServer({ port: 0, peer: LOOPBACK });
    const client = await openClient(server.url);
    client.send('{"type": "offer", ');
    expect(await client.next('error')).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringMatching(/JSON/),
    });
    client.send({ type: 'teleport' });
    expect(await client.next('error')).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringMatching(/teleport/),
    });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next('error')).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringMatching(/binary/),
    });
    client.send({ type: 'candidate', id: 'nope', candidate: null });
    expect(await client.next('error')).toMatchObject({ code: 'NOT_FOUND', id: 'nope' });
    client.send({ type: 'offer', id: 's1', sdp: 'v=0\r\nthis is not sdp\r\n' });
    expect(await client.next('error')).toMatchObject({ code: 'BAD_SDP', id: 's1' });
    expect(server.sessionCount).toBe(0);
    client.send({ type: 'ping' });
    await client.next('pong');
    await client.close();
  });

  it('refuses connections that fail authenticate with HTTP 401', async () => {
    server = await createSignalingServer({
      port: 0,
      authenticate: (req) => req.headers.authorization === 'Bearer good',
    });
    const refused = new WebSocket(server.url, { headers: { authorization: 'Bearer bad' } });
    const err = await new Promise<Error>((resolve) => refused.once('error', resolve));
    expect(err.message).toMatch(/401/);
    const ok = await openClient(server.url, { authorization: 'Bearer good' });
    await ok.next('welcome');
    await ok.close();
  });

  it('relays offer/answer/candidate/bye between peers of a room and announces joins and leaves', async () => {
    server = await createSignalingServer({ port: 0 });
    const alice = await openClient(server.url);
    const bob = await openClient(server.url);
    const aliceId = (await alice.next('welcome')).peerId;
    const bobId = (await bob.next('welcome')).peerId;
    alice.send({ type: 'join', room: 'r1' });
    expect(await alice.next('joined')).toEqual({ type: 'joined', room: 'r1', peers: [] });
    bob.send({ type: 'join', room: 'r1' });
    expect(await bob.next('joined')).toEqual({ type: 'joined', room: 'r1', peers: [aliceId] });
    expect(await alice.next('peer-joined')).toEqual({ type: 'peer-joined', room: 'r1', peerId: bobId });

    bob.send({ type: 'offer', id: 'x', sdp: 'v=0 offer', to: aliceId });
    expect(await alice.next('offer')).toEqual({ type: 'offer', id: 'x', sdp: 'v=0 offer', from: bobId });
    alice.send({ type: 'answer', id: 'x', sdp: 'v=0 answer', to: bobId });
    expect(await bob.next('answer')).toEqual({ type: 'answer', id: 'x', sdp: 'v=0 answer', from: aliceId });
    alice.send({ type: 'candidate', id: 'x', candidate: null, to: bobId });
    expect(await bob.next('candidate')).toEqual({
      type: 'candidate',
      id: 'x',
      candidate: null,
      from: aliceId,
    });
    bob.send({ type: 'bye', id: 'x', to: aliceId });
    expect(await alice.next('bye')).toEqual({ type: 'bye', id: 'x', from: bobId });

    bob.send({ type: 'offer', id: 'y', sdp: 'v=0', to: 'somebody-else' });
    expect(await bob.next('error')).toMatchObject({ code: 'NOT_FOUND', id: 'y' });

    await bob.close();
    expect(await alice.next('peer-left')).toEqual({ type: 'peer-left', room: 'r1', peerId: bobId });
    await alice.close();
  });

  it('attaches to an existing HTTP server, whose handler can serve the browser client', async () => {
    let signaling: SignalingServer | undefined;
    const http = createServer((req, res) => {
      if (signaling?.handleRequest(req, res)) return;
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    server = await createSignalingServer({ server: http, path: '/voice' });
    signaling = server;
    const port = (http.address() as AddressInfo).port;
    const js = await fetch(`http://127.0.0.1:${port}/voice/client.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toMatch(/export async function connect/);
    const page = await fetch(`http://127.0.0.1:${port}/voice/`);
    expect(await page.text()).toMatch(/import \* as voxwire from "\.\/client\.js"/);
    const client = await openClient(`ws://127.0.0.1:${port}/voice`);
    await client.next('welcome');
    await client.close();
    await server.close();
    server = undefined;
    // The attached server keeps running after the signaling server closes.
    expect(http.listening).toBe(true);
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
  });

  it('attached to an HTTPS server, gives wss:// and https:// URLs and answers over TLS', async () => {
    const cert = selfSignedCert();
    const https = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      if (!server?.handleRequest(req, res)) res.writeHead(404).end();
    });
    try {
      await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
      server = await createSignalingServer({ server: https, path: '/voice' });
      const port = (https.address() as AddressInfo).port;
      expect(server.url).toBe(`wss://127.0.0.1:${port}/voice`);
      expect(server.pageUrl).toBe(`https://127.0.0.1:${port}/voice/`);
      const ws = new WebSocket(server.url, { ca: cert.cert });
      const first = await new Promise<{ type: string }>((resolve, reject) => {
        ws.once('message', (data) => resolve(JSON.parse(data.toString()) as { type: string }));
        ws.once('error', reject);
      });
      expect(first.type).toBe('welcome');
      const closed = new Promise((r) => ws.once('close', r));
      ws.close();
      await closed;
    } finally {
      await server?.close();
      server = undefined;
      https.closeAllConnections();
      await new Promise<void>((r) => https.close(() => r()));
      cert.dispose();
    }
  });
});
