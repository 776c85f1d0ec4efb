// The audio round trip: spoken requests (espeak-ng) streamed as PCM16 24 kHz over /realtime/stream; the local
// backend's server VAD, pocketsphinx and Arnold's responder answer with audio. Recognition is imperfect, so
// the test asserts what is reliably true: speech detected, a final user transcript, a tool call, audio back.
import { wav } from '@voxwire/codecs';
import { describe, expect, it } from 'vitest';
import { arnoldPerFile, StreamClient, speak, streamSpeech } from './helpers.js';

const fixture = arnoldPerFile({ pacing: 'fast' });

describe('arnold speech', () => {
  it('answers spoken requests with audio, transcripts and tool calls', { timeout: 120000 }, async () => {
    const client = await StreamClient.open(fixture.arnold().url);
    try {
      // 1. A spoken set: heard, a log_workout call writes a row, and Arnold answers with speech.
      let from = client.messages.length;
      let audioBefore = client.audioBytes;
      streamSpeech(client, speak('I just did ten reps of bench press at one hundred eighty five pounds'));
      await client.next((m) => m.type === 'speech_started', from);
      await client.next((m) => m.type === 'speech_stopped', from);
      const heard = await client.next((m) => m.type === 'user_transcript' && m.final === true, from);
      expect(String(heard.text)).toMatch(/bench press/);
      const logged = await client.next((m) => m.type === 'tool_result' && m.name === 'log_workout', from);
      expect(logged.output).toMatchObject({
        ok: true,
        workout: { exercise: 'bench press', reps: 10, weight: 185, unit: 'lbs' },
      });
      const said = await client.next((m) => m.type === 'response_text', from);
      expect(said.text).toBe('Logged 10 reps of bench press at 185 pounds.');
      await client.next((m) => m.type === 'audio_done', from);
      expect(client.audioBytes - audioBefore).toBeGreaterThan(24000); // over half a second of speech
      expect(fixture.arnold().store.count()).toBe(1);

      // 2. A spoken question reads the row back.
      from = client.messages.length;
      audioBefore = client.audioBytes;
      streamSpeech(client, speak('show me my recent workouts'));
      const recent = await client.next(
        (m) => m.type === 'tool_result' && m.name === 'get_recent_workouts',
        from,
      );
      expect(recent.output).toMatchObject({
        ok: true,
        workouts: [expect.objectContaining({ exercise: 'bench press' })],
      });
      const answer = await client.next((m) => m.type === 'response_text', from);
      expect(String(answer.text)).toContain('bench press');
      await client.next((m) => m.type === 'audio_done', from);
      expect(client.audioBytes - audioBefore).toBeGreaterThan(24000);
    } finally {
      await client.close();
    }
  });

  it('keeps the older one-shot HTTP endpoints: transcribe, tts, process-voice-command', {
    timeout: 120000,
  }, async () => {
    const wavOf = (text: string) => wav.write({ sampleRate: 24000, channels: 1, data: speak(text) });
    const post = async (path: string, body: Buffer | string) => {
      const res = await fetch(`${fixture.arnold().url}${path}`, { method: 'POST', body });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };

    const stt = await post('/audio/transcribe', wavOf('show me my recent workouts'));
    expect(stt.status).toBe(200);
    expect(stt.json.text).toBe('show me my recent workouts');

    const tts = await post('/audio/tts', JSON.stringify({ text: 'Time to lift.' }));
    expect(tts.status).toBe(200);
    const spoken = wav.read(Buffer.from(String(tts.json.audio_base64), 'base64'));
    expect(spoken).toMatchObject({ sampleRate: 24000, channels: 1 });
    expect(spoken.data.length).toBeGreaterThan(12000);

    const cmd = await post('/audio/process-voice-command', wavOf('what is my bench press progress'));
    expect(cmd.status).toBe(200);
    expect(cmd.json.transcript).toMatch(/bench press/);
    expect(cmd.json.tool_calls).toEqual([
      expect.objectContaining({
        name: 'get_progress',
        output: expect.objectContaining({ ok: true, sessions: 1 }),
      }),
    ]);
    expect(String(cmd.json.response_text)).toMatch(/1 session of bench press/);
    expect(wav.read(Buffer.from(String(cmd.json.audio_base64), 'base64')).data.length).toBeGreaterThan(12000);

    const bad = await post('/audio/transcribe', 'not a wav');
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/WAV/);
    const badTts = await post('/audio/tts', '{"text": 5}');
    expect(badTts.status).toBe(400);
  });
});
