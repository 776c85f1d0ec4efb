import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { audioFrame } from '@voxwire/codecs';
import { tone } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jarvis, OpenAiEngineError, OpenAiTranscriber, startJarvis } from '../src/index.js';
import { Client, pcmOf, speech, testTokens } from './helpers.js';

// OpenAI cannot be reached here. This local HTTP server checks the requests the OpenAI engines send (the
// shapes of OpenAI's documented endpoints) and answers like them, so the switch to the OpenAI engines and the
// wire format are exercised end to end; it does not prove anything about OpenAI's service itself.
interface Seen {
  path: string;
  auth: string | undefined;
  body: Buffer;
  type: string | undefined;
}

const { tokens, tokenOf } = testTokens(1);
const seen: Seen[] = [];
let api: Server;
let jarvis: Jarvis;
/** The stand-in's base URL (`…/v1`). */
let base: string;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  api = createServer((req, res) => {
    void body(req).then((b) => {
      seen.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: b,
        type: req.headers['content-type'],
      });
      if (req.url === '/v1/audio/transcriptions') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: ' What time is it? ' }));
      } else if (req.url === '/v1/audio/speech') {
        // 0.5 s of a 24 kHz tone as raw PCM16LE, like response_format "pcm".
        const pcm = tone(440, 24000, 12000, 8000 / 32767);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(pcm.buffer));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1`;
  jarvis = await startJarvis({
    tokens,
    corePort: 0,
    audioPort: 0,
    audio: { openaiApiKey: 'sk-test-key', openaiBaseUrl: base },
  });
}, 60000);

afterAll(async () => {
  await jarvis?.close();
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
});

describe('OpenAI engines (against a local stand-in of the two endpoints)', () => {
  it('sends the utterance as a WAV to /audio/transcriptions and speaks with /audio/speech as PCM', async () => {
    const health = (await (await fetch(`${jarvis.audio.url}/api/v2/audio/health`)).json()) as {
      engines: unknown;
    };
    expect(health.engines).toEqual({ stt: 'openai', tts: 'openai' });

    const c = await Client.open(`${jarvis.audio.url.replace('http', 'ws')}/ws/audio/user0`, tokenOf('user0'));
    c.send({
      type: 'start_streaming',
      config: { sample_rate: 16000, stt_model: 'base', tts_voice: 'en-US-GuyNeural' },
    });
    await c.waitFor((m) => m.type === 'streaming_started');
    await c.stream(speech('what time is it'), 16000);
    const stt = await c.waitFor((m) => m.type === 'stt_result', 60000);
    expect(stt.data).toMatchObject({ text: 'What time is it?', engine: 'openai' });
    expect((await c.waitFor((m) => m.type === 'response')).data.plugin).toBe('time');
    const tts = await c.waitFor((m) => m.type === 'tts_result');
    expect(tts.data).toMatchObject({ engine: 'openai', sample_rate: 16000, duration_ms: 500 });
    await c.waitFor((m) => m.type === 'tts_end');
    expect(pcmOf(c.binary).length).toBe(8000);
    c.close();

    const stt0 = seen.find((s) => s.path === '/v1/audio/transcriptions') as Seen;
    expect(stt0.auth).toBe('Bearer sk-test-key');
    expect(stt0.type).toMatch(/^multipart\/form-data; boundary=/);
    const form = stt0.body.toString('latin1');
    expect(form).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);
    expect(form).toMatch(/name="language"\r\n\r\nen\r\n/);
    expect(form).toMatch(/name="file"; filename="utterance.wav"\r\nContent-Type: audio\/wav\r\n\r\nRIFF/);
    const tts0 = seen.find((s) => s.path === '/v1/audio/speech') as Seen;
    expect(JSON.parse(tts0.body.toString())).toMatchObject({
      model: 'gpt-4o-mini-tts',
      voice: 'ash',
      response_format: 'pcm',
    });
  }, 90000);

  it('an HTTP error of OpenAI is an OpenAiEngineError REQUEST_FAILED with its status', async () => {
    const stt = new OpenAiTranscriber({ apiKey: 'sk-test-key', baseUrl: `${base}/missing` });
    const err = await stt
      .transcribe(audioFrame(tone(440, 16000, 1600), 16000), { signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAiEngineError);
    expect(err).toMatchObject({ code: 'REQUEST_FAILED', status: 404, message: 'OpenAI 404: ' });
  });
});
