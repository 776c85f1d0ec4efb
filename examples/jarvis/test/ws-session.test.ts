import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jarvis } from '../src/index.js';
import { Client, DESIGN_AUDIO_CONFIG, pcmOf, rmsDb, speech, startTestJarvis, testTokens } from './helpers.js';

const { tokens, tokenOf } = testTokens(2);
let jarvis: Jarvis;
const clients: Client[] = [];

beforeAll(async () => {
  jarvis = await startTestJarvis(tokens);
}, 60000);
afterAll(async () => {
  for (const c of clients) c.close();
  await jarvis?.close();
});

const wsUrl = (user: string) => `${jarvis.audio.url.replace('http', 'ws')}/ws/audio/${user}`;

describe('audio WebSocket session', () => {
  it("with the design's full AudioConfig, a spoken command streamed in its 1024-sample chunks gets vad, stt_result, the plugin answer and tts_result with audio", async () => {
    const c = await Client.open(wsUrl('user0'), tokenOf('user0'));
    clients.push(c);
    c.send({ type: 'start_streaming', config: DESIGN_AUDIO_CONFIG });
    const started = await c.waitFor((m) => m.type === 'streaming_started');
    expect(started.data.config).toEqual({ ...DESIGN_AUDIO_CONFIG, language: 'en' });
    // chunk_size 1024 at 16 kHz: 64 ms per binary frame.
    await c.stream(speech('what is the weather in bangkok'), 16000, 64);

    const stt = await c.waitFor((m) => m.type === 'stt_result', 90000);
    expect(c.of('vad').map((m) => m.data.event)).toEqual(['speech_start', 'speech_end']);
    expect(stt.data.text).toBe('what is the weather in bangkok');
    expect(stt.data.engine).toBe('pocketsphinx');
    const response = await c.waitFor((m) => m.type === 'response', 60000);
    expect(response.data.plugin).toBe('weather');
    expect(String(response.data.text)).toContain('Bangkok');

    const tts = await c.waitFor((m) => m.type === 'tts_result', 60000);
    expect(tts.data).toMatchObject({
      format: 'pcm16le',
      sample_rate: 16000,
      engine: 'espeak-ng',
      voice: 'en-us+f3',
    });
    await c.waitFor((m) => m.type === 'tts_end', 60000);
    // Streamed back in 100 ms chunks (1600 samples = 3200 bytes), speech-loud, as long as announced.
    expect(c.binary.length).toBe(tts.data.chunks);
    expect(c.binary.slice(0, -1).every((b) => b.length === 3200)).toBe(true);
    const reply = pcmOf(c.binary);
    expect(Math.abs((reply.length / 16000) * 1000 - Number(tts.data.duration_ms))).toBeLessThan(2);
    expect(rmsDb(reply)).toBeGreaterThan(-35);
    expect(c.of('error')).toEqual([]);

    const metrics = (await (
      await fetch(`${jarvis.audio.url}/api/v2/audio/session/metrics`, {
        headers: { authorization: `Bearer ${tokenOf('user0')}` },
      })
    ).json()) as {
      session: {
        utterances: number;
        stt: { count: number };
        tts: { count: number };
        vad: { count: number };
        chunks_in: number;
      };
    };
    expect(metrics.session.utterances).toBe(1);
    expect(metrics.session.stt.count).toBe(1);
    expect(metrics.session.tts.count).toBe(1);
    expect(metrics.session.vad.count).toBe(metrics.session.chunks_in);
  }, 120000);

  it('a 48 kHz session with the VAD off commits by message; audio is sent as base64 JSON too', async () => {
    const c = await Client.open(wsUrl('user1'), tokenOf('user1'));
    clients.push(c);
    c.send({ type: 'start_streaming', config: { sample_rate: 48000, enable_vad: false } });
    await c.waitFor((m) => m.type === 'streaming_started');
    const pcm = speech('what time is it', 48000, { tailMs: 200 });
    const half = Math.floor(pcm.length / 2);
    await c.stream(pcm.subarray(0, half), 48000);
    const rest = pcm.slice(half);
    c.send({ type: 'audio', data: Buffer.from(rest.buffer).toString('base64') });
    c.send({ type: 'commit' });
    const stt = await c.waitFor((m) => m.type === 'stt_result', 90000);
    expect(stt.data.text).toBe('what time is it');
    const response = await c.waitFor((m) => m.type === 'response', 60000);
    expect(response.data.plugin).toBe('time');
    const tts = await c.waitFor((m) => m.type === 'tts_result', 60000);
    expect(tts.data.sample_rate).toBe(48000);
    expect(c.of('vad')).toEqual([]);
  }, 120000);

  it('refuses a token for another user, a bad token and an unknown path', async () => {
    await expect(Client.open(wsUrl('user1'), tokenOf('user0'))).rejects.toThrow('HTTP 403');
    await expect(Client.open(wsUrl('user1'), 'invalid-token-000000000')).rejects.toThrow('HTTP 401');
    await expect(Client.open(wsUrl('user1'))).rejects.toThrow('HTTP 401');
    await expect(
      Client.open(`${jarvis.audio.url.replace('http', 'ws')}/ws/other/user1`, tokenOf('user1')),
    ).rejects.toThrow('HTTP 404');
  });
});
