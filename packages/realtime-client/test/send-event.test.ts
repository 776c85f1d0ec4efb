// RealtimeClient.send: any protocol event, for what the typed methods do not cover, against the local server.
import { createRealtimeServer, type RealtimeServer } from '@voxwire/realtime-server';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeClientError } from '../src/index.js';

let server: RealtimeServer | undefined;
let client: RealtimeClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

describe('RealtimeClient.send', () => {
  it('sends a raw event the server answers, and ties the server error of a bad one to its event_id', async () => {
    server = await createRealtimeServer({ pacing: 'fast' });
    const c = new RealtimeClient({ url: server.url, reconnect: false });
    client = c;
    await c.connect();
    const added = new Promise<string>((resolve) =>
      c.on('conversation.item.added', (e) => resolve(e.item.id as string)),
    );
    c.sendText('remember the word pelican', { respond: false });
    const itemId = await added;

    const retrieved = new Promise<unknown>((resolve) =>
      c.on('conversation.item.retrieved', (e) => resolve(e.item)),
    );
    const id = c.send({ type: 'conversation.item.retrieve', item_id: itemId });
    expect(id).toMatch(/^evt_/);
    expect(await retrieved).toMatchObject({
      id: itemId,
      content: [{ type: 'input_text', text: 'remember the word pelican' }],
    });

    const failed = new Promise<RealtimeClientError>((resolve) => c.on('error', resolve));
    const badId = c.send({ type: 'conversation.item.retrieve', item_id: 'item_nope' });
    const err = await failed;
    expect(err.code).toBe('SERVER');
    expect(err.serverError?.event_id).toBe(badId);
    // The session goes on.
    expect(c.connected).toBe(true);
  });

  it('refuses an event without a type, and use before connect', () => {
    const c = new RealtimeClient({ url: 'ws://127.0.0.1:9/v1/realtime', reconnect: false });
    expect(() => c.send({} as never)).toThrow(/string type/);
    expect(() => c.send({ type: 'input_audio_buffer.clear' })).toThrow(/before connect/);
  });
});
