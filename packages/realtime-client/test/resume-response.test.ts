// A response cut off by a dropped connection: reported on `reconnected`, and asked for again in the new
// session when `resumeResponse` is set. The far end is the local realtime server behind a TCP proxy that
// can cut every connection, the way a network failure does.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createRealtimeServer, type RealtimeServer, ScriptedResponder } from '@voxwire/realtime-server';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, type ReconnectedEvent, type ResponseDoneEvent } from '../src/index.js';

const STORY =
  'Once upon a time a lifter trained every morning before sunrise, rain or shine, for many long years.';

let server: RealtimeServer | undefined;
let proxy: { server: Server; sockets: Set<Socket>; url: string } | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  if (proxy) {
    for (const s of proxy.sockets) s.destroy();
    await new Promise((r) => proxy?.server.close(r));
    proxy = undefined;
  }
  await server?.close();
  server = undefined;
});

async function startProxy(target: URL): Promise<NonNullable<typeof proxy>> {
  const sockets = new Set<Socket>();
  const srv = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return { server: srv, sockets, url: `ws://127.0.0.1:${port}${target.pathname}` };
}

async function cutMidResponse(resumeResponse: boolean) {
  server = await createRealtimeServer({
    pacing: 'realtime',
    engines: { responder: new ScriptedResponder([{ text: STORY }], { after: 'last' }) },
  });
  proxy = await startProxy(new URL(server.url));
  const c = new RealtimeClient({
    url: proxy.url,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, factor: 2, maxRetries: 5 },
    resumeResponse,
  });
  client = c;
  await c.connect();
  const done: ResponseDoneEvent[] = [];
  c.on('responseDone', (r) => done.push(r));
  const firstAudio = new Promise<void>((resolve) => c.on('audio', () => resolve()));
  c.sendText('Tell me a story.');
  await firstAudio;
  const reconnected = new Promise<ReconnectedEvent>((resolve) => c.on('reconnected', resolve));
  const p = proxy;
  for (const s of p.sockets) s.destroy();
  return { c, done, reconnected: await reconnected };
}

describe('a response cut off by a dropped connection', () => {
  it('is reported on reconnected and, with resumeResponse, answered again in full', {
    timeout: 60_000,
  }, async () => {
    const { c, done, reconnected } = await cutMidResponse(true);
    expect(reconnected.responseCut).toBe(true);
    expect(reconnected.resumed).toBe(true);
    // The user's request and the partial answer came back with the conversation.
    expect(reconnected.restoredItems).toBeGreaterThanOrEqual(2);
    await expect.poll(() => done.some((r) => r.status === 'completed'), { timeout: 30_000 }).toBe(true);
    expect(c.connected).toBe(true);
  });

  it('is only reported by default', { timeout: 60_000 }, async () => {
    const { c, done, reconnected } = await cutMidResponse(false);
    expect(reconnected.responseCut).toBe(true);
    expect(reconnected.resumed).toBe(false);
    // Nothing answers until the application asks.
    expect(done).toEqual([]);
    const answered = new Promise<ResponseDoneEvent>((resolve) => c.on('responseDone', resolve));
    c.createResponse();
    expect((await answered).status).toBe('completed');
  });
});
