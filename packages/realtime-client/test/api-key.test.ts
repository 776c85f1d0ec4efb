// Which key goes on the wire: the environment's OpenAI key must never reach a server that is not OpenAI.
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../src/index.js';
import { ScriptedRealtimeServer } from './helpers/scripted-server.js';

let server: ScriptedRealtimeServer | undefined;
const savedKey = process.env.OPENAI_API_KEY;

afterEach(async () => {
  await server?.close();
  server = undefined;
  if (savedKey === undefined) delete process.env.OPENAI_API_KEY;
  else process.env.OPENAI_API_KEY = savedKey;
});

async function upgradeAuthorization(options: { apiKey?: string }): Promise<string | string[] | undefined> {
  server = await ScriptedRealtimeServer.start();
  const client = new RealtimeClient({ url: server.url, reconnect: false, ...options });
  await client.connect();
  await server.connection(0);
  client.close();
  return server.upgradeHeaders[0].authorization;
}

describe('API key', () => {
  it('does not send OPENAI_API_KEY from the environment to a server other than OpenAI', async () => {
    process.env.OPENAI_API_KEY = 'sk-real-openai-key';
    expect(await upgradeAuthorization({})).toBeUndefined();
  });

  it('sends a key given explicitly to any server', async () => {
    process.env.OPENAI_API_KEY = 'sk-real-openai-key';
    expect(await upgradeAuthorization({ apiKey: 'sk-local' })).toBe('Bearer sk-local');
  });
});
