import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jarvis } from '../src/index.js';
import { Client, pcmOf, rmsDb, speech, startTestJarvis, testTokens } from './helpers.js';

const USERS = 10;
// Nine cities the command grammar recognises reliably from espeak-ng, and one time question.
const PHRASES = [
  ...['bangkok', 'london', 'paris', 'tokyo', 'new york', 'sydney', 'singapore', 'moscow', 'cairo'].map(
    (c) => `what is the weather in ${c}`,
  ),
  'what time is it',
];

const { tokens, tokenOf } = testTokens(USERS);
let jarvis: Jarvis;
const clients: Client[] = [];

beforeAll(async () => {
  jarvis = await startTestJarvis(tokens);
}, 60000);
afterAll(async () => {
  for (const c of clients) c.close();
  await jarvis?.close();
});

describe('ten concurrent users', () => {
  it('each gets only its own transcript, answer, audio and notes', async () => {
    const wsBase = jarvis.audio.url.replace('http', 'ws');
    for (let i = 0; i < USERS; i++)
      clients.push(await Client.open(`${wsBase}/ws/audio/user${i}`, tokenOf(`user${i}`)));
    // Different rates per user, so audio mixed up between sessions would also be at the wrong rate.
    const rates = clients.map((_, i) => [16000, 24000, 48000][i % 3]);
    for (const [i, c] of clients.entries())
      c.send({ type: 'start_streaming', config: { sample_rate: rates[i] } });
    await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'streaming_started')));

    // A private note per user (text turns go through the same queue, core service and TTS).
    for (const [i, c] of clients.entries()) c.send({ type: 'text', text: `/note add secret ${i * 7 + 3}` });
    await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'tts_end')));

    // Everyone speaks at once, interleaved chunk by chunk.
    await Promise.all(clients.map((c, i) => c.stream(speech(PHRASES[i], rates[i]), rates[i])));
    const results = await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'stt_result', 110000)));
    const answers = await Promise.all(
      clients.map((c) => c.waitFor((m) => m.type === 'response' && m.data.utterance_id === 'utt_2', 110000)),
    );
    await Promise.all(
      clients.map((c) => c.waitFor((m) => m.type === 'tts_end' && m.data.utterance_id === 'utt_2', 110000)),
    );
    for (let i = 0; i < USERS; i++) {
      expect(results[i].data.text).toBe(PHRASES[i]);
      expect(answers[i].data.plugin).toBe(i < 9 ? 'weather' : 'time');
      if (i < 9) expect(String(answers[i].data.text).toLowerCase()).toContain(PHRASES[i].split(' in ')[1]);
      expect(clients[i].of('stt_result')).toHaveLength(1);
      expect(clients[i].of('tts_result')).toHaveLength(2);
      // The audio each got is at its own rate and as long as its own two replies.
      const tts = clients[i].of('tts_result');
      expect(tts.every((m) => m.data.sample_rate === rates[i])).toBe(true);
      const expectedChunks = tts.reduce((n, m) => n + Number(m.data.chunks), 0);
      expect(clients[i].binary.length).toBe(expectedChunks);
      expect(rmsDb(pcmOf(clients[i].binary))).toBeGreaterThan(-35);
      expect(clients[i].of('error')).toEqual([]);
    }

    // Notes: each user lists exactly their own.
    for (const c of clients) c.send({ type: 'text', text: '/note list' });
    const lists = await Promise.all(
      clients.map((c) => c.waitFor((m) => m.type === 'response' && m.data.utterance_id === 'utt_3', 60000)),
    );
    for (const [i, m] of lists.entries()) expect(m.data.text).toBe(`Your notes: secret ${i * 7 + 3}.`);

    // Metrics: each sees its own session only.
    for (let i = 0; i < USERS; i++) {
      const res = await fetch(`${jarvis.audio.url}/api/v2/audio/session/metrics`, {
        headers: { authorization: `Bearer ${tokenOf(`user${i}`)}` },
      });
      const body = (await res.json()) as {
        session: { user_id: string; sample_rate: number; utterances: number };
      };
      expect(body.session).toMatchObject({ user_id: `user${i}`, sample_rate: rates[i], utterances: 3 });
    }
  }, 120000);
});
