import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RecordingWsClient } from '../src/index.js';

let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A loopback server that answers every text message with `echo`, then 3 binary bytes; `bye` closes. */
async function echoServer(): Promise<string> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server?.once('listening', r));
  server.on('connection', (ws, req) => {
    ws.send(JSON.stringify({ type: 'hello', auth: req.headers.authorization ?? null }));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string };
      if (msg.type === 'bye') return ws.close(1000);
      ws.send(JSON.stringify({ type: 'echo', of: msg.type }));
      ws.send(Buffer.from([1, 2, 3]));
    });
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('RecordingWsClient', () => {
  it('records JSON messages and binary frames with their arrival times, and waits on them', async () => {
    const client = await RecordingWsClient.connect<{ type: string; of?: string; auth?: string }>(
      await echoServer(),
      { headers: { authorization: 'Bearer t' } },
    );
    const hello = await client.indexOf((m) => m.type === 'hello');
    expect(client.messages[hello]).toEqual({ type: 'hello', auth: 'Bearer t' });
    client.send({ type: 'ping' });
    const echo = await client.indexOf((m) => m.type === 'echo', hello + 1);
    expect(client.messages[echo]?.of).toBe('ping');
    await client.until(() => client.binaryBytes === 3, 'the binary frame');
    expect(client.binaryTimes).toHaveLength(1);
    expect(client.messageTimes).toHaveLength(client.messages.length);
    expect(client.messageTimes[echo]).toBeGreaterThanOrEqual(client.messageTimes[hello] as number);
    await client.close();
    await client.close(); // idempotent
  });

  it('rejects a wait when the socket closes before the condition holds', async () => {
    const client = await RecordingWsClient.connect<{ type: string }>(await echoServer());
    const never = client.until(() => client.messages.some((m) => m.type === 'never'), 'a message never sent');
    client.send({ type: 'bye' });
    await expect(never).rejects.toThrow(/socket closed while waiting for a message never sent/);
    await expect(client.until(() => false, 'anything')).rejects.toThrow(/socket closed before anything/);
  });
});
