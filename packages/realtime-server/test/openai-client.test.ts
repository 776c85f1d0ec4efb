import { readFileSync } from 'node:fs';
import { base64ToInt16 } from '@voxwire/codecs';
import { resampleFrame } from '@voxwire/speech';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeServer, EspeakSynthesizer, type RealtimeServer } from '../src/index.js';
import { concat, dbfs, speak } from './helpers.js';

// The official client always dials wss:// (it rewrites the base URL's scheme), so the server serves TLS
// with a self-signed certificate for 127.0.0.1 that the client is told to trust.
const cert = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));
const API_KEY = 'sk-local-test';

let server: RealtimeServer;

beforeAll(async () => {
  server = await createRealtimeServer({ tls: { key, cert }, apiKeys: [API_KEY], pacing: 'fast' });
});
afterAll(async () => {
  await server.close();
});

/** Opens the official client against the local server and records every event. */
async function openOfficialClient(): Promise<{
  rt: OpenAIRealtimeWS;
  events: RealtimeServerEvent[];
  until: (pred: (e: RealtimeServerEvent) => boolean) => Promise<RealtimeServerEvent>;
}> {
  const client = new OpenAI({ apiKey: API_KEY, baseURL: server.baseURL });
  const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: cert } }, client);
  const events: RealtimeServerEvent[] = [];
  const waiters: Array<{
    pred: (e: RealtimeServerEvent) => boolean;
    resolve: (e: RealtimeServerEvent) => void;
  }> = [];
  rt.on('event', (e) => {
    events.push(e);
    for (const w of waiters.splice(0)) {
      if (w.pred(e)) w.resolve(e);
      else waiters.push(w);
    }
  });
  const until = (pred: (e: RealtimeServerEvent) => boolean) => {
    const seen = events.find(pred);
    return seen
      ? Promise.resolve(seen)
      : new Promise<RealtimeServerEvent>((resolve) => waiters.push({ pred, resolve }));
  };
  await until((e) => e.type === 'session.created');
  return { rt, events, until };
}

describe('the official openai OpenAIRealtimeWS client', () => {
  it('completes a spoken turn: espeak speech in, server VAD, spoken audio out', async () => {
    const { rt, events, until } = await openOfficialClient();
    rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'When the user says "weather", reply "It is sunny in the local server."',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
        },
      },
    });
    await until((e) => e.type === 'session.updated');
    const input = concat(new Int16Array(12000), speak('what is the weather in Paris'), new Int16Array(24000));
    for (let i = 0; i < input.length; i += 4800) {
      rt.send({
        type: 'input_audio_buffer.append',
        audio: Buffer.from(
          input.buffer,
          input.byteOffset + 2 * i,
          2 * Math.min(4800, input.length - i),
        ).toString('base64'),
      });
    }
    const done = await until((e) => e.type === 'response.done');
    rt.close();

    const types = events.map((e) => e.type);
    expect(types.indexOf('input_audio_buffer.speech_started')).toBeLessThan(
      types.indexOf('input_audio_buffer.speech_stopped'),
    );
    expect(types).toContain('input_audio_buffer.committed');
    if (done.type !== 'response.done') throw new Error('unreachable');
    expect(done.response.status).toBe('completed');
    expect(done.response.usage?.output_token_details?.audio_tokens).toBeGreaterThan(0);
    const transcript = events.find((e) => e.type === 'response.output_audio_transcript.done');
    if (transcript?.type !== 'response.output_audio_transcript.done') throw new Error('no transcript');
    // Pocketsphinx hears "weather" in espeak's sentence, so the instruction rule fires.
    expect(transcript.transcript).toBe('It is sunny in the local server.');

    const audio = concat(
      ...events.flatMap((e) =>
        e.type === 'response.output_audio.delta' ? [base64ToInt16(e.delta).slice()] : [],
      ),
    );
    // The deltas are exactly espeak-ng's rendering of the transcript, resampled to 24 kHz.
    const reference = await new EspeakSynthesizer().synthesize(transcript.transcript, {
      voice: 'alloy',
      speed: 1,
      signal: new AbortController().signal,
    });
    const expected = resampleFrame(reference, 24000).data;
    expect(audio.length).toBe(expected.length);
    expect(
      Buffer.compare(
        Buffer.from(audio.buffer),
        Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
      ),
    ).toBe(0);
    expect(audio.length / 24000).toBeGreaterThan(1);
    expect(dbfs(audio)).toBeGreaterThan(-35);
  });
  // Tool calls, barge-in, images, transcription sessions: conformance/test/openai.test.ts.
});
