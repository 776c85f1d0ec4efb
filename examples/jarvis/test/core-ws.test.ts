import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jarvis } from '../src/index.js';
import { Client, startTestJarvis, testTokens } from './helpers.js';

const { tokens, tokenOf, admin } = testTokens(2);
let jarvis: Jarvis;
const clients: Client[] = [];

beforeAll(async () => {
  jarvis = await startTestJarvis(tokens);
}, 60000);
afterAll(async () => {
  for (const c of clients) c.close();
  await jarvis?.close();
});

async function open(user: string, token = tokenOf(user)): Promise<Client> {
  const c = await Client.open(`${jarvis.core.url.replace('http', 'ws')}/ws/${user}`, token);
  clients.push(c);
  return c;
}

describe('core WebSocket', () => {
  it('chats through plugins, pushes a user’s voice turns only to that user, and survives bad messages', async () => {
    const a = await open('user0');
    const b = await open('user1');
    await a.waitFor((m) => m.type === 'status');
    await b.waitFor((m) => m.type === 'status');

    a.send({ type: 'chat', message: '/weather Bangkok' });
    const reply = await a.waitFor((m) => m.type === 'chat_response');
    expect(reply.data).toMatchObject({ plugin: 'weather', user_id: 'user0', source: 'text' });

    for (const bad of ['nope', '{"type":"chat"}', '{"type":"dance"}', 'null']) {
      const before = a.messages.length;
      a.send(bad);
      expect((await a.waitFor((m) => m.type === 'error', 30000, before)).data.code).toMatch(
        /invalid_message|bad_request/,
      );
    }

    // user1 speaks (the audio service posts the transcript with user1's token, source voice).
    await fetch(`${jarvis.core.url}/api/v2/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf('user1')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'what time is it', source: 'voice' }),
    });
    const pushed = await b.waitFor((m) => m.type === 'voice_interaction');
    expect(pushed.data).toMatchObject({ user_id: 'user1', plugin: 'time' });

    // Plugin state changes reach everyone; the voice turn of user1 never reached user0.
    await fetch(`${jarvis.core.url}/api/v2/plugins/calc/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    await a.waitFor((m) => m.type === 'plugin_update');
    await fetch(`${jarvis.core.url}/api/v2/plugins/calc/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(a.of('voice_interaction')).toEqual([]);
    a.send({ type: 'chat', message: '/calc 1+1' });
    expect(
      (await a.waitFor((m) => m.type === 'chat_response' && m.data.command === 'calc')).data.response,
    ).toBe('1+1 = 2');
  }, 60000);

  it('refuses other users’ sockets and bad tokens', async () => {
    await expect(open('user1', tokenOf('user0'))).rejects.toThrow('HTTP 403');
    await expect(open('user1', 'bad-token-bad-token-bad')).rejects.toThrow('HTTP 401');
  });
});
