// What the client's frames look like on the wire: over TLS the masking key is zero (ws then skips masking
// each append's bytes, which protects nothing inside TLS); over plain ws:// it stays random, as the RFC needs.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { audioFrame } from '@voxwire/codecs';
import { type SelfSignedCert, selfSignedCert, tone, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { RealtimeClient, type WebSocketClientOptions, type WebSocketConstructor } from '../src/index.js';

/** Masking keys of every client frame in `bytes` (the stream after the upgrade). */
function maskKeys(bytes: Buffer): Buffer[] {
  const keys: Buffer[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const masked = (bytes[at + 1] & 0x80) !== 0;
    let len = bytes[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (!masked) throw new Error('client frame without the mask bit');
    keys.push(bytes.subarray(at + head, at + head + 4));
    at += head + 4 + len;
  }
  return keys;
}

interface Capture {
  url: string;
  raw: Buffer[];
  audio: Buffer[];
  close(): Promise<void>;
}

function listen(server?: Server): Promise<Capture> {
  const raw: Buffer[] = [];
  const audio: Buffer[] = [];
  const wss = server ? new WebSocketServer({ server }) : new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws, req) => {
    req.socket.on('data', (chunk: Buffer) => raw.push(chunk));
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; audio?: string };
      if (event.type === 'input_audio_buffer.append') audio.push(Buffer.from(event.audio ?? '', 'base64'));
    });
    ws.send(JSON.stringify({ type: 'session.created', session: { type: 'realtime' } }));
  });
  const target = server ?? wss;
  return new Promise((resolve) => {
    const ready = () => {
      const { port } = (server ? server.address() : wss.address()) as AddressInfo;
      resolve({
        url: `${server ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/realtime`,
        raw,
        audio,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => (server ? server.close(() => done()) : done()));
          }),
      });
    };
    if (server) server.listen(0, '127.0.0.1', ready);
    else (target as WebSocketServer).once('listening', ready);
  });
}

let cert: SelfSignedCert;
beforeAll(() => {
  cert = selfSignedCert();
});
afterAll(() => cert.dispose());

async function sendTone(url: string, WS?: WebSocketConstructor): Promise<Int16Array> {
  const client = new RealtimeClient({
    url,
    apiKey: 'sk-test',
    heartbeatIntervalMs: 0,
    batchMs: 100,
    ...(WS ? { WebSocket: WS } : {}),
  });
  await client.connect();
  const pcm = tone(440, 24000, 7200); // three full 100 ms batches
  client.appendAudio(audioFrame(pcm, 24000));
  await client.close();
  return pcm;
}

/** Waits for the appended audio, checks it arrived bit-exact, and returns the masking keys used. */
async function receivedIntact(capture: Capture, pcm: Int16Array): Promise<Buffer[]> {
  await waitUntil(
    () => capture.audio.reduce((n, b) => n + b.length, 0) >= pcm.byteLength,
    'the appended audio',
  );
  expect(Buffer.concat(capture.audio).equals(Buffer.from(pcm.buffer))).toBe(true);
  const keys = maskKeys(Buffer.concat(capture.raw));
  expect(keys.length).toBeGreaterThanOrEqual(3); // session.update and three appends, at least
  return keys;
}

describe('client frames on the wire', () => {
  it('over wss:// sends zero masking keys and the audio arrives intact', async () => {
    const capture = await listen(createServer({ cert: cert.cert, key: cert.key }));
    const ca = cert.cert;
    const Trusting = class extends WebSocket {
      constructor(u: string, opts: WebSocketClientOptions) {
        super(u, { ...opts, ca });
      }
    };
    const pcm = await sendTone(capture.url, Trusting);
    const keys = await receivedIntact(capture, pcm);
    for (const key of keys) expect([...key]).toEqual([0, 0, 0, 0]);
    await capture.close();
  });

  it('over plain ws:// keeps random masking keys', async () => {
    const capture = await listen();
    const pcm = await sendTone(capture.url);
    const keys = await receivedIntact(capture, pcm);
    expect(keys.filter((k) => k.readUInt32BE(0) !== 0).length).toBe(keys.length);
    await capture.close();
  });
});
