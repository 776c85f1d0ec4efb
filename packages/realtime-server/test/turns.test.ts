import { alaw, base64ToBytes, base64ToInt16, bytesToBase64, mulaw, Resampler } from '@voxwire/codecs';
import { NO_TRANSCRIBER_TEXT } from '@voxwire/speech';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '../src/index.js';
import { concat, type Event, RawClient, speak, speechExtent } from './helpers.js';

const LONG_REPLY =
  'This is a deliberately long answer so that there is plenty of audio left to interrupt while it is still being spoken to you.';

let fast: RealtimeServer;
let paced: RealtimeServer;

beforeAll(async () => {
  const responder = new ScriptedResponder([{ text: 'Sure, done.' }]);
  fast = await createRealtimeServer({
    pacing: 'fast',
    engines: { responder, transcriber: new NullTranscriber() },
  });
  paced = await createRealtimeServer({
    pacing: 'realtime',
    engines: {
      responder: new ScriptedResponder([{ text: LONG_REPLY }, { text: 'Second answer.' }]),
      transcriber: new NullTranscriber(),
    },
  });
});
afterAll(async () => {
  await fast.close();
  await paced.close();
});

function decodeDeltas(events: Event[], responseId: string, law?: 'pcmu' | 'pcma'): Int16Array {
  return concat(
    ...events
      .filter((e) => e.type === 'response.output_audio.delta' && e.response_id === responseId)
      .map((e) => {
        const delta = e.delta as string;
        if (law === 'pcmu') return mulaw.decode(base64ToBytes(delta));
        if (law === 'pcma') return alaw.decode(base64ToBytes(delta));
        return base64ToInt16(delta).slice();
      }),
  );
}

describe('server VAD', () => {
  it('reports speech_started/stopped at the true speech boundaries plus padding, and commits exactly that audio', async () => {
    const c = await RawClient.connect(fast.url);
    const speech = speak('testing one two three');
    const { first, last } = speechExtent(speech);
    const lead = 24000; // 1 s of silence before the speech
    const input = concat(new Int16Array(lead), speech, new Int16Array(36000));
    c.appendAudio(input, 480);
    const started = await c.next('input_audio_buffer.speech_started');
    const stopped = await c.next('input_audio_buffer.speech_stopped');
    const onsetMs = ((lead + first) * 1000) / 24000;
    const offsetMs = ((lead + last) * 1000) / 24000;
    // audio_start_ms includes the 300 ms prefix padding; audio_end_ms the 500 ms silence duration.
    expect(Math.abs((started.audio_start_ms as number) - (onsetMs - 300))).toBeLessThanOrEqual(40);
    expect(Math.abs((stopped.audio_end_ms as number) - (offsetMs + 500))).toBeLessThanOrEqual(40);
    expect(stopped.item_id).toBe(started.item_id);
    const committed = await c.next('input_audio_buffer.committed');
    expect(committed.item_id).toBe(started.item_id);
    await c.next('response.done');

    const retrieved = c.nextNew('conversation.item.retrieved');
    c.send({ type: 'conversation.item.retrieve', item_id: started.item_id });
    const item = (await retrieved).item as { content: Array<{ audio: string }> };
    const audio = base64ToInt16(item.content[0].audio);
    const from = ((started.audio_start_ms as number) * 24000) / 1000;
    const to = ((stopped.audio_end_ms as number) * 24000) / 1000;
    expect(audio.length).toBe(to - from);
    expect(
      Buffer.compare(
        Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength),
        Buffer.from(input.slice(from, to).buffer),
      ),
    ).toBe(0);
    c.close();
  });

  for (const law of ['pcmu', 'pcma'] as const) {
    it(`runs a turn in audio/${law} at 8 kHz, in and out`, async () => {
      const c = await RawClient.connect(fast.url);
      c.send({
        type: 'session.update',
        session: {
          type: 'realtime',
          audio: {
            input: { format: { type: `audio/${law}` } },
            output: { format: { type: `audio/${law}` } },
          },
        },
      });
      const updated = await c.next('session.updated');
      expect(
        (updated.session as { audio: { input: { format: { type: string } } } }).audio.input.format.type,
      ).toBe(`audio/${law}`);
      const codec = law === 'pcmu' ? mulaw : alaw;
      const input = concat(new Int16Array(4000), speak('good morning to you', 8000), new Int16Array(12000));
      const codes = codec.encode(input);
      for (let i = 0; i < codes.length; i += 160) {
        c.send({ type: 'input_audio_buffer.append', audio: bytesToBase64(codes.subarray(i, i + 160)) });
      }
      const started = await c.next('input_audio_buffer.speech_started');
      const stopped = await c.next('input_audio_buffer.speech_stopped');
      const done = await c.next('response.done');
      const response = done.response as {
        id: string;
        status: string;
        audio: { output: { format: { type: string } } };
      };
      expect(response.status).toBe('completed');
      expect(response.audio.output.format.type).toBe(`audio/${law}`);
      const out = decodeDeltas(c.events, response.id, law);
      // "Sure, done." spoken at 8 kHz: about a second of audio with speech-level energy.
      expect(out.length / 8000).toBeGreaterThan(0.5);
      expect(out.length / 8000).toBeLessThan(3);
      // The committed item holds the audio of its span exactly (compared decoded: mu-law's "negative zero"
      // code 0x7F and 0xFF both decode to 0, so re-encoding may pick the other code for silence).
      const retrieved = c.nextNew('conversation.item.retrieved');
      c.send({ type: 'conversation.item.retrieve', item_id: started.item_id });
      const item = (await retrieved).item as { content: Array<{ audio: string }> };
      const from = ((started.audio_start_ms as number) * 8000) / 1000;
      const to = ((stopped.audio_end_ms as number) * 8000) / 1000;
      const back = codec.decode(base64ToBytes(item.content[0].audio));
      const sent = codec.decode(codes.subarray(from, to));
      expect(back.length).toBe(sent.length);
      expect(Buffer.compare(Buffer.from(back.buffer), Buffer.from(sent.buffer))).toBe(0);
      c.close();
    });
  }

  it('interrupts a response when the user speaks (interrupt_response), then answers the new turn', async () => {
    const c = await RawClient.connect(paced.url);
    c.send({ type: 'response.create' });
    const created = await c.next('response.created');
    const firstId = (created.response as { id: string }).id;
    await c.next('response.output_audio.delta');
    c.appendAudio(concat(speak('wait a moment'), new Int16Array(24000)), 2400);
    const started = await c.next('input_audio_buffer.speech_started');
    const cancelled = await c.next('response.done', (e) => (e.response as { id: string }).id === firstId);
    const r = cancelled.response as {
      status: string;
      status_details: { reason: string };
      output: Array<{ status: string }>;
    };
    expect(r.status).toBe('cancelled');
    expect(r.status_details.reason).toBe('turn_detected');
    expect(r.output[0].status).toBe('incomplete');
    expect(c.events.indexOf(started)).toBeLessThan(c.events.indexOf(cancelled));
    // Less audio was sent than the whole reply holds.
    const sent = decodeDeltas(c.events, firstId);
    const full = await fullReplySamples(LONG_REPLY);
    expect(sent.length).toBeLessThan(full);
    const next = await c.next('response.done', (e) => (e.response as { id: string }).id !== firstId);
    expect((next.response as { status: string }).status).toBe('completed');
    c.close();
  });
});

async function fullReplySamples(text: string): Promise<number> {
  const { EspeakSynthesizer } = await import('../src/index.js');
  const s = await new EspeakSynthesizer().synthesize(text, {
    voice: 'alloy',
    speed: 1,
    signal: new AbortController().signal,
  });
  return Math.ceil((s.data.length * 24000) / s.sampleRate);
}

describe('responses', () => {
  it('sends the GA event sequence in order for an audio response', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    await c.next('session.updated');
    const from = c.events.length;
    c.send({ type: 'response.create' });
    await c.next('rate_limits.updated');
    const seq = c.types(from).filter((t) => !t.endsWith('.delta'));
    expect(seq).toEqual(
      [
        'session.updated',
        'response.created',
        'response.output_item.added',
        'conversation.item.added',
        'response.content_part.added',
        'response.output_audio.done',
        'response.output_audio_transcript.done',
        'response.content_part.done',
        'conversation.item.done',
        'response.output_item.done',
        'response.done',
        'rate_limits.updated',
      ].slice(1),
    );
    const deltas = c.events.slice(from).filter((e) => e.type === 'response.output_audio_transcript.delta');
    const done = c.events.find((e) => e.type === 'response.output_audio_transcript.done');
    expect(
      deltas
        .map((d) => d.delta)
        .join('')
        .trim(),
    ).toBe(done?.transcript);
    const response = (await c.next('response.done')).response as {
      usage: { output_tokens: number; total_tokens: number; input_tokens: number };
    };
    expect(response.usage.total_tokens).toBe(response.usage.input_tokens + response.usage.output_tokens);
    const limits = (await c.next('rate_limits.updated')).rate_limits as Array<{
      name: string;
      remaining: number;
      limit: number;
    }>;
    expect(limits.find((l) => l.name === 'tokens')?.remaining).toBe(
      (limits.find((l) => l.name === 'tokens')?.limit ?? 0) - response.usage.total_tokens,
    );
    c.close();
  });

  it('streams text deltas for output_modalities ["text"] and keeps conversation "none" responses out of the conversation', async () => {
    const c = await RawClient.connect(fast.url);
    const from = c.events.length;
    c.send({
      type: 'response.create',
      response: { output_modalities: ['text'], conversation: 'none', metadata: { topic: 'test' } },
    });
    const done = await c.next('response.done');
    const types = c.types(from);
    expect(types).toContain('response.output_text.delta');
    expect(types).toContain('response.output_text.done');
    expect(types).not.toContain('response.output_audio.delta');
    expect(types).not.toContain('conversation.item.added');
    const r = done.response as {
      metadata: Record<string, string>;
      output: Array<{ content: Array<{ type: string; text: string }> }>;
    };
    expect(r.metadata).toEqual({ topic: 'test' });
    expect(r.output[0].content[0]).toEqual({ type: 'output_text', text: 'Sure, done.' });
    c.close();
  });

  it('cancels an active response on response.cancel and closes its open item', async () => {
    const c = await RawClient.connect(paced.url);
    c.send({ type: 'response.create' });
    const created = await c.next('response.created');
    const id = (created.response as { id: string }).id;
    await c.next('response.output_audio.delta');
    c.send({ type: 'response.cancel', response_id: id });
    const done = await c.next('response.done');
    const r = done.response as { status: string; status_details: { reason: string } };
    expect(r.status).toBe('cancelled');
    expect(r.status_details.reason).toBe('client_cancelled');
    expect(c.types()).toContain('response.output_item.done');
    // A second cancel has nothing to cancel.
    const err = c.nextNew('error');
    c.send({ type: 'response.cancel', event_id: 'again' });
    expect(((await err).error as { code: string }).code).toBe('response_cancel_not_active');
    c.close();
  });

  it('says that no transcriber is configured when none is', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: null } },
      },
    });
    await c.next('session.updated');
    c.appendAudio(speak('hello'));
    c.send({ type: 'input_audio_buffer.commit' });
    const t = await c.next('conversation.item.input_audio_transcription.completed');
    expect(t.transcript).toBe(NO_TRANSCRIBER_TEXT);
    c.close();
  });
});

describe('conversation items', () => {
  it('creates, inserts at root, retrieves, truncates and deletes items', async () => {
    const c = await RawClient.connect(fast.url);
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { turn_detection: null } } },
    });
    await c.next('session.updated');
    const text = (t: string) => ({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: t }],
    });
    c.send({ type: 'conversation.item.create', item: { ...text('one'), id: 'item_one' } });
    const a1 = await c.next('conversation.item.added', (e) => (e.item as { id: string }).id === 'item_one');
    expect(a1.previous_item_id).toBeNull();
    c.send({ type: 'conversation.item.create', item: { ...text('two'), id: 'item_two' } });
    const a2 = await c.next('conversation.item.added', (e) => (e.item as { id: string }).id === 'item_two');
    expect(a2.previous_item_id).toBe('item_one');
    c.send({
      type: 'conversation.item.create',
      previous_item_id: 'root',
      item: { ...text('zero'), id: 'item_zero' },
    });
    const a0 = await c.next('conversation.item.added', (e) => (e.item as { id: string }).id === 'item_zero');
    expect(a0.previous_item_id).toBeNull();
    const dup = c.nextNew('error');
    c.send({ type: 'conversation.item.create', item: { ...text('again'), id: 'item_two' } });
    expect(((await dup).error as { code: string }).code).toBe('item_already_exists');

    c.send({ type: 'response.create' });
    const done = await c.next('response.done');
    const assistant = (done.response as { output: Array<{ id: string }> }).output[0].id;
    const spoken = decodeDeltas(c.events, (done.response as { id: string }).id);
    const tooLong = c.nextNew('error');
    c.send({
      type: 'conversation.item.truncate',
      item_id: assistant,
      content_index: 0,
      audio_end_ms: Math.ceil((spoken.length * 1000) / 24000) + 100,
    });
    expect(((await tooLong).error as { param: string }).param).toBe('audio_end_ms');
    c.send({ type: 'conversation.item.truncate', item_id: assistant, content_index: 0, audio_end_ms: 200 });
    const truncated = await c.next('conversation.item.truncated');
    expect(truncated).toMatchObject({ item_id: assistant, content_index: 0, audio_end_ms: 200 });
    c.send({ type: 'conversation.item.retrieve', item_id: assistant });
    const got = (await c.next('conversation.item.retrieved')).item as {
      content: Array<{ audio: string; transcript: string }>;
    };
    const kept = base64ToInt16(got.content[0].audio);
    expect(kept.length).toBe(4800);
    expect(
      Buffer.compare(
        Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength),
        Buffer.from(spoken.slice(0, 4800).buffer),
      ),
    ).toBe(0);
    expect(got.content[0].transcript).toBe('');

    c.send({ type: 'conversation.item.delete', item_id: 'item_two' });
    expect((await c.next('conversation.item.deleted')).item_id).toBe('item_two');
    const gone = c.nextNew('error');
    c.send({ type: 'conversation.item.retrieve', item_id: 'item_two', event_id: 'r2' });
    expect((await gone).error).toMatchObject({ code: 'item_retrieve_invalid_item_id', event_id: 'r2' });
    c.close();
  });
});

describe('resampling of the synthesizer output', () => {
  it('delivers 8 kHz G.711 output whose spectrum matches the 24 kHz PCM output of the same text', async () => {
    // Same reply in both formats: downsample the PCM output to 8 kHz and compare levels (within 1 dB).
    const pcmClient = await RawClient.connect(fast.url);
    pcmClient.send({ type: 'response.create', response: { conversation: 'none' } });
    const d1 = await pcmClient.next('response.done');
    const pcm24 = decodeDeltas(pcmClient.events, (d1.response as { id: string }).id);
    const ulawClient = await RawClient.connect(fast.url);
    ulawClient.send({
      type: 'response.create',
      response: { conversation: 'none', audio: { output: { format: { type: 'audio/pcmu' } } } },
    });
    const d2 = await ulawClient.next('response.done');
    const ulaw8 = decodeDeltas(ulawClient.events, (d2.response as { id: string }).id, 'pcmu');
    expect(ulaw8.length).toBe(Math.ceil(pcm24.length / 3));
    const r = new Resampler({ inputRate: 24000, outputRate: 8000 });
    const down = concat(r.process(pcm24), r.flush());
    const rms = (x: Int16Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(Math.abs(20 * Math.log10(rms(ulaw8) / rms(down)))).toBeLessThan(1);
    pcmClient.close();
    ulawClient.close();
  });
});
