import { base64ToInt16 } from '@voxwire/codecs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createRealtimeServer,
  FormantSynthesizer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
  type Transcriber,
} from '../src/index.js';
import { Pacer } from '../src/pacer.js';
import { heardText } from '../src/speech.js';
import { concat, type Event, RawClient, speak } from './helpers.js';

const LONG_REPLY =
  'This is a deliberately long answer so that there are several seconds of audio for the client to hold when the user interrupts it.';

/** A transcriber that names the length of what it heard, so tests can see it ran. */
const countingTranscriber: Transcriber = {
  name: 'counting',
  transcribe: async (audio) =>
    `heard ${Math.round((audio.data.length / audio.sampleRate) * 10) / 10} seconds`,
};

let ahead: RealtimeServer;
let fast: RealtimeServer;

beforeAll(async () => {
  ahead = await createRealtimeServer({
    // The default pacing: faster than playback, like the real service.
    engines: {
      transcriber: new NullTranscriber(),
      synthesizer: new FormantSynthesizer(),
      responder: new ScriptedResponder([{ text: LONG_REPLY }, { text: 'Second answer.' }]),
    },
  });
  fast = await createRealtimeServer({
    pacing: 'fast',
    engines: {
      transcriber: countingTranscriber,
      responder: new ScriptedResponder([{ text: 'Fine, thanks.' }]),
    },
  });
});
afterAll(async () => {
  await ahead.close();
  await fast.close();
});

function audioMs(events: Event[], itemId: string): number {
  let samples = 0;
  for (const e of events) {
    if (e.type === 'response.output_audio.delta' && e.item_id === itemId)
      samples += base64ToInt16(e.delta as string).length;
  }
  return (samples * 1000) / 24000;
}

/** Resolves once the client has received at least `ms` of the item's audio. */
async function receivedAtLeast(c: RawClient, itemId: string, ms: number): Promise<void> {
  while (audioMs(c.events, itemId) < ms) await c.nextNew('response.output_audio.delta');
}

describe('truncating the assistant item while its audio streams (session.interrupt())', () => {
  it('cuts at audio_end_ms, cuts the transcript to match and emits conversation.item.truncated, with seconds buffered', async () => {
    const c = await RawClient.connect(ahead.url);
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    c.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'Tell me something long.' }],
      },
    });
    c.send({ type: 'response.create' });
    const added = await c.next('response.output_item.added');
    const itemId = (added.item as { id: string }).id;
    // The client holds seconds of audio it has not played: it has played 700 ms of 3 s or more.
    await receivedAtLeast(c, itemId, 3000);
    const from = c.events.length;
    // What the Agents SDK's interrupt() sends: cancel, then truncate at the playback position.
    c.send({ type: 'response.cancel' });
    c.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 700 });
    const truncated = await c.next('conversation.item.truncated', () => true, from);
    expect(truncated).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 700 });
    const done = await c.next('response.done', () => true, from);
    expect(done.response).toMatchObject({
      status: 'cancelled',
      status_details: { reason: 'client_cancelled' },
    });
    expect(c.types(from)).not.toContain('error');
    const itemDone = await c.next('conversation.item.done', (e) => (e.item as { id: string }).id === itemId);
    expect(itemDone.previous_item_id).toMatch(/^item_/);
    const heard = (itemDone.item as { content: Array<{ transcript: string }> }).content[0].transcript;
    expect(heard.length).toBeGreaterThan(0);
    expect(LONG_REPLY.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(LONG_REPLY.length / 2);

    c.send({ type: 'conversation.item.retrieve', item_id: itemId });
    const retrieved = await c.next('conversation.item.retrieved');
    const part = (retrieved.item as { content: Array<{ audio: string; transcript: string }> }).content[0];
    expect(base64ToInt16(part.audio).length).toBe((700 * 24000) / 1000);
    expect(part.transcript).toBe(heard);
    c.close();
  });

  it('refuses audio_end_ms beyond what was sent, and a text part, with clear errors', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    c.send({ type: 'response.create' });
    const done = await c.next('response.done');
    const itemId = (done.response as { output: Array<{ id: string }> }).output[0].id;
    c.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 0 });
    const error = await c.next('error');
    expect(error.error).toMatchObject({ code: 'invalid_value', param: 'content_index' });
    c.close();
  });
});

describe('smaller GA details', () => {
  it('accepts input_image parts into the conversation', async () => {
    const c = await RawClient.connect(fast.url);
    const image =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    c.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is in this picture?' },
          { type: 'input_image', image_url: image, detail: 'low' },
        ],
      },
    });
    const added = await c.next('conversation.item.added');
    expect((added.item as { content: unknown[] }).content[1]).toEqual({
      type: 'input_image',
      image_url: image,
      detail: 'low',
    });
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    await c.next('response.done');
    expect(c.types()).not.toContain('error');
    c.close();
  });

  it('reports conversation_id null for an out-of-band response and the conversation id otherwise', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({ type: 'response.create', response: { conversation: 'none', output_modalities: ['text'] } });
    const oob = await c.next('response.done');
    expect((oob.response as { conversation_id: unknown }).conversation_id).toBeNull();
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const inBand = await c.next('response.done', (e) => e !== oob);
    expect((inBand.response as { conversation_id: unknown }).conversation_id).toMatch(/^conv_/);
    c.close();
  });

  it('names a response in output_audio_buffer.cleared, never null', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    const done = await c.next('response.done');
    c.send({ type: 'output_audio_buffer.clear' });
    const cleared = await c.next('output_audio_buffer.cleared');
    expect(cleared.response_id).toBe((done.response as { id: string }).id);
    c.close();
  });

  it('runs a transcription session for ?intent=transcription: transcripts, no responses', async () => {
    const c = await RawClient.connect(`${fast.url}?intent=transcription`);
    expect(c.events[0].session).toMatchObject({
      type: 'transcription',
      audio: { input: { turn_detection: { type: 'server_vad' } } },
    });
    c.send({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: { input: { transcription: { model: 'gpt-4o-transcribe', language: 'en' } } },
      },
    });
    await c.next('session.updated');
    c.appendAudio(concat(new Int16Array(12000), speak('testing one two three'), new Int16Array(24000)));
    const completed = await c.next('conversation.item.input_audio_transcription.completed');
    expect(completed.transcript).toMatch(/^heard \d/);
    c.send({ type: 'response.create' });
    const error = await c.next('error');
    expect(error.error).toMatchObject({ code: 'invalid_request' });
    c.send({ type: 'session.update', session: { type: 'realtime', instructions: 'x' } });
    const wrongKind = await c.next('error', (e) => e !== error);
    expect(wrongKind.error).toMatchObject({ param: 'session.type' });
    expect(c.types()).not.toContain('response.created');
    c.close();
  });
});

describe('a turn longer than an item may hold', () => {
  it('is committed when it reaches maxItemAudioMs, and the rest becomes the next turn', async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      maxItemAudioMs: 3000,
      engines: { transcriber: new NullTranscriber(), responder: new ScriptedResponder([{ text: 'ok' }]) },
    });
    const c = await RawClient.connect(server.url);
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', create_response: false } } },
      },
    });
    await c.next('session.updated');
    // Six seconds of continuous speech (espeak-ng, repeated without pauses), then silence.
    const phrase = speak('and so it goes on and on');
    const speech = concat(...Array.from({ length: Math.ceil((6 * 24000) / phrase.length) }, () => phrase));
    c.appendAudio(concat(new Int16Array(12000), speech, new Int16Array(36000)));
    const first = await c.next('input_audio_buffer.committed');
    c.send({ type: 'conversation.item.retrieve', item_id: first.item_id });
    const retrieved = await c.next('conversation.item.retrieved');
    const audio = (retrieved.item as { content: Array<{ audio: string }> }).content[0].audio;
    const ms = (base64ToInt16(audio).length * 1000) / 24000;
    expect(ms).toBeGreaterThan(2900);
    expect(ms).toBeLessThanOrEqual(3100);
    await c.next('input_audio_buffer.committed', (e) => e.item_id !== first.item_id);
    expect(c.types()).not.toContain('error');
    c.close();
    await server.close();
  });
});

describe('pacing', () => {
  it('sends ahead of real time by default (4× playback) and at playback speed in realtime mode', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'],
    });
    try {
      const signal = new AbortController().signal;
      const sent = (pacer: Pacer) => {
        let n = 0;
        const next = (): void => {
          void pacer.wait(n, signal).then((ok) => {
            if (ok) {
              n++;
              next();
            }
          });
        };
        next();
        return () => n;
      };
      const ahead = sent(new Pacer('ahead', 50));
      const realtime = sent(new Pacer('realtime', 50));
      await vi.advanceTimersByTimeAsync(1000);
      // One second of wall clock: 4 s of audio ahead, 1 s at playback speed (50 ms chunks, one in flight).
      expect(ahead()).toBeGreaterThanOrEqual(80);
      expect(realtime()).toBeLessThanOrEqual(21);
      expect(realtime()).toBeGreaterThanOrEqual(19);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the heard words of a cut transcript', () => {
    expect(heardText('one two three four', 50, 100)).toBe('one two');
    expect(heardText('one two three four', 0, 100)).toBe('');
    expect(heardText('one two three four', 100, 100)).toBe('one two three four');
  });
});
