import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jarvis } from '../src/index.js';
import { Client, speech, startTestJarvis, testTokens } from './helpers.js';

const { tokens, tokenOf } = testTokens(4);
let jarvis: Jarvis;
const clients: Client[] = [];

beforeAll(async () => {
  // A short session timeout so the cleanup can be seen.
  jarvis = await startTestJarvis(tokens, 1500);
}, 60000);
afterAll(async () => {
  for (const c of clients) c.close();
  await jarvis?.close();
});

async function open(user: string): Promise<Client> {
  const c = await Client.open(`${jarvis.audio.url.replace('http', 'ws')}/ws/audio/${user}`, tokenOf(user));
  clients.push(c);
  return c;
}

async function metrics(user: string): Promise<{ session: { connected: boolean; errors: number } | null }> {
  const res = await fetch(`${jarvis.audio.url}/api/v2/audio/session/metrics`, {
    headers: { authorization: `Bearer ${tokenOf(user)}` },
  });
  return (await res.json()) as { session: { connected: boolean; errors: number } | null };
}

describe('bad input and vanished clients', () => {
  it('malformed messages get typed errors, a user who hangs up mid-utterance is cleaned up, and the other sessions keep working', async () => {
    const bad = await open('user0');
    const quitter = await open('user1');
    const good = await open('user2');

    // Audio before start_streaming, then a stream of bad messages: each gets its own error, socket stays.
    bad.ws.send(Buffer.alloc(320));
    await bad.waitFor((m) => m.type === 'error' && m.data.code === 'not_streaming');
    bad.send({ type: 'start_streaming', config: { sample_rate: 16000 } });
    await bad.waitFor((m) => m.type === 'streaming_started');
    const cases: [unknown, string][] = [
      ['{not json', 'invalid_message'],
      ['[1,2,3]', 'invalid_message'],
      [{ type: 'fly_to_the_moon' }, 'invalid_message'],
      [{ type: 'audio', data: '***not base64***' }, 'invalid_audio'],
      [{ type: 'audio', data: 12 }, 'invalid_audio'],
      [{ type: 'start_streaming', config: { sample_rate: 1e9 } }, 'invalid_config'],
      [{ type: 'start_streaming', config: { samplerate: 16000 } }, 'invalid_config'],
      [{ type: 'text', text: '' }, 'invalid_message'],
      [{ type: 'commit' }, 'invalid_message'],
    ];
    for (const [msg, code] of cases) {
      const before = bad.messages.length;
      bad.send(msg);
      const err = await bad.waitFor((m) => m.type === 'error', 30000, before);
      expect(err.data.code, JSON.stringify(msg)).toBe(code);
    }
    const before = bad.messages.length;
    bad.ws.send(Buffer.alloc(321)); // odd byte count
    expect((await bad.waitFor((m) => m.type === 'error', 30000, before)).data.code).toBe('invalid_audio');
    // The refused start_streaming changed nothing; the session still answers.
    bad.send({ type: 'text', text: '/calc 6 * 7' });
    expect((await bad.waitFor((m) => m.type === 'response')).data.text).toBe('6 * 7 = 42');
    expect(bad.closed).toBe(false);

    // user1 starts speaking and vanishes mid-utterance (no close handshake).
    quitter.send({ type: 'start_streaming', config: { sample_rate: 16000 } });
    await quitter.waitFor((m) => m.type === 'streaming_started');
    const words = speech('what is the weather in london', 16000, { tailMs: 0 });
    await quitter.stream(words.subarray(0, Math.floor(words.length * 0.6)), 16000);
    await quitter.waitFor((m) => m.type === 'vad' && m.data.event === 'speech_start');
    quitter.close();

    // user2 is unaffected: a whole utterance, recognised and answered.
    good.send({ type: 'start_streaming', config: { sample_rate: 16000 } });
    await good.waitFor((m) => m.type === 'streaming_started');
    await good.stream(speech('what is the weather in paris'), 16000);
    expect((await good.waitFor((m) => m.type === 'stt_result', 90000)).data.text).toBe(
      'what is the weather in paris',
    );
    expect((await good.waitFor((m) => m.type === 'response', 60000)).data.plugin).toBe('weather');
    await good.waitFor((m) => m.type === 'tts_end', 60000);
    expect(good.of('error')).toEqual([]);

    // The quitter's session is disconnected and has produced nothing after it left.
    expect((await metrics('user1')).session?.connected).toBe(false);
    expect(quitter.of('stt_result')).toEqual([]);
    // And the user can come back.
    const back = await open('user1');
    back.send({ type: 'text', text: 'hello' });
    expect((await back.waitFor((m) => m.type === 'response')).data.text).toBe('Hello! How can I help you?');
  }, 120000);

  it('a second connection of the same user replaces the first', async () => {
    const first = await open('user3');
    await first.waitFor((m) => m.type === 'status');
    const second = await open('user3');
    await second.waitFor((m) => m.type === 'status');
    await first.waitFor(() => false, 30000).catch(() => undefined);
    expect(first.closed).toBe(true);
    expect(first.closeCode).toBe(4001);
    expect(second.closed).toBe(false);
  }, 60000);

  it('idle sessions time out and are forgotten', async () => {
    const idle = await open('user3');
    await idle.waitFor((m) => m.type === 'status');
    await idle.waitFor(() => false, 30000).catch(() => undefined);
    expect(idle.closeCode).toBe(4408);
    expect((await metrics('user3')).session).toBeNull();
  }, 60000);
});
