// A reply is spoken while it is being made: the first sentence's audio leaves before the synthesizer has
// made the rest, and the whole reply still arrives in order, with its full transcript.

import type { AudioFrame } from '@voxwire/codecs';
import { audioFrame, base64ToInt16 } from '@voxwire/codecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
  type Synthesizer,
} from '../src/index.js';
import { RawClient } from './helpers.js';

/** Speaks each sentence as 0.2 s of a constant level (sentence i at level 1000·(i+1)); the last waits for `release`. */
class GatedSynthesizer implements Synthesizer {
  readonly name = 'gated';
  release!: () => void;
  readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  requested = 0;

  async synthesize(): Promise<AudioFrame> {
    throw new Error('the server streams');
  }

  async *stream(text: string): AsyncGenerator<AudioFrame> {
    const sentences = text.split('. ');
    for (let i = 0; i < sentences.length; i++) {
      this.requested = i + 1;
      if (i === sentences.length - 1) await this.gate;
      yield audioFrame(new Int16Array(4800).fill(1000 * (i + 1)), 24000, 1, i * 4800);
    }
  }
}

describe('streamed synthesis', () => {
  let server: RealtimeServer;
  const synth = new GatedSynthesizer();
  beforeAll(async () => {
    server = await createRealtimeServer({
      pacing: 'fast',
      engines: {
        transcriber: new NullTranscriber(),
        synthesizer: synth,
        responder: new ScriptedResponder([{ text: 'First sentence. Second sentence. Third one' }]),
      },
    });
  });
  afterAll(() => server.close());

  it('sends the first sentence while the last is still being made, then the rest in order', async () => {
    const c = await RawClient.connect(server.url);
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    await c.next('session.updated');
    c.send({ type: 'response.create' });
    await c.next('response.output_audio.delta');
    // The third sentence is blocked in the synthesizer, yet audio is out and the response is not done.
    expect(synth.requested).toBe(3);
    expect(c.events.some((e) => e.type === 'response.done')).toBe(false);
    synth.release();
    const done = await c.next('response.done');
    expect((done.response as { status: string }).status).toBe('completed');
    const audio = c.events
      .filter((e) => e.type === 'response.output_audio.delta')
      .map((e) => base64ToInt16(e.delta as string).slice());
    const all = new Int16Array(audio.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of audio) {
      all.set(a, at);
      at += a.length;
    }
    expect(all.length).toBe(3 * 4800);
    expect([all[0], all[4799], all[4800], all[9599], all[9600], all[14399]]).toEqual([
      1000, 1000, 2000, 2000, 3000, 3000,
    ]);
    const transcript = await c.next('response.output_audio_transcript.done');
    expect(transcript.transcript).toBe('First sentence. Second sentence. Third one');
    c.close();
  });
});
