import type { AddressInfo } from 'node:net';
import { freePort } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { JanusClient, WebRtcError } from '../src/index.js';

describe('JanusClient failures', () => {
  it('times a request out when the server never answers, and reports an unreachable Janus', async () => {
    // A WebSocket server that accepts the janus-protocol subprotocol and then stays silent.
    const silent = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: () => 'janus-protocol',
    });
    await new Promise<void>((r) => silent.once('listening', () => r()));
    const received: string[] = [];
    silent.on('connection', (ws) => ws.on('message', (m) => received.push(m.toString())));
    const { port } = silent.address() as AddressInfo;
    const c = new JanusClient({ url: `ws://127.0.0.1:${port}`, requestTimeoutMs: 1000, reconnect: false });
    try {
      const err = await c.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebRtcError);
      expect((err as WebRtcError).code).toBe('TIMEOUT');
      // The request was a well-formed Janus "create" with a transaction.
      const sent = JSON.parse(received[0]) as { janus: string; transaction: string };
      expect(sent.janus).toBe('create');
      expect(sent.transaction).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await c.close();
      for (const ws of silent.clients) ws.terminate();
      await new Promise<void>((r) => silent.close(() => r()));
    }

    const nobody = new JanusClient({ url: `ws://127.0.0.1:${await freePort()}`, reconnect: false });
    const down = await nobody.connect().catch((e: unknown) => e);
    expect((down as WebRtcError).code).toBe('DISCONNECTED');
    await nobody.close();

    expect(() => new JanusClient({ url: 'http://127.0.0.1:8188' })).toThrowError(/ws:\/\//);
  });
});
