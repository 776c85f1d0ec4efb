// Spoken logging accuracy: espeak-ng requests through server VAD and pocketsphinx (Arnold's grammar) log
// exactly the reps and weight said, and Arnold's confirmation states the values stored, so a number the
// recogniser got wrong is heard by the user instead of being logged silently.
import { describe, expect, it } from 'vitest';
import { arnoldPerFile, StreamClient, speak, streamSpeech } from './helpers.js';

const fixture = arnoldPerFile({ pacing: 'fast' });

describe('spoken logging', () => {
  it('logs spoken reps and weight exactly and says back what it logged', { timeout: 120000 }, async () => {
    const client = await StreamClient.open(fixture.arnold().url);
    try {
      const from = client.messages.length;
      streamSpeech(client, speak('log bench press ten reps at sixty kilos'));
      const heard = await client.next((m) => m.type === 'user_transcript' && m.final === true, from);
      expect(heard.text).toBe('log bench press ten reps at sixty kilos');
      const logged = await client.next((m) => m.type === 'tool_result' && m.name === 'log_workout', from);
      const row = { exercise: 'bench press', reps: 10, weight: 60, unit: 'kg' };
      expect(logged.output).toMatchObject({ ok: true, workout: row });
      expect(fixture.arnold().store.recentWorkouts(1)[0]).toMatchObject(row);
      // The confirmation states the stored values, in the reply text and in the transcript of the audio:
      // a misheard number ("two" for "ten") would be heard by the user, not logged silently.
      const said = await client.next((m) => m.type === 'response_text', from);
      expect(said.text).toBe('Logged 10 reps of bench press at 60 kilograms.');
      const spoken = await client.next((m) => m.type === 'agent_transcript' && m.final === true, from);
      expect(spoken.text).toBe(said.text);
      await client.next((m) => m.type === 'audio_done', from);
    } finally {
      await client.close();
    }
  });

  it('says back the values it logged, so a misheard number is heard by the user', {
    timeout: 120000,
  }, async () => {
    const client = await StreamClient.open(fixture.arnold().url);
    try {
      const from = client.messages.length;
      // pocketsphinx tends to hear espeak-ng's "fifteen" as "fifty": whatever it heard, the row and the
      // spoken confirmation agree, and the user's own words as heard are shown too.
      streamSpeech(client, speak('I just did fifteen reps of squat at sixty kilos'));
      const heard = await client.next((m) => m.type === 'user_transcript' && m.final === true, from);
      const logged = await client.next((m) => m.type === 'tool_result' && m.name === 'log_workout', from);
      const row = fixture.arnold().store.recentWorkouts(1)[0];
      const { id, exercise, reps, weight, unit } = row;
      expect(logged.output).toMatchObject({ ok: true, workout: { id, exercise, reps, weight, unit } });
      expect(row).toMatchObject({ exercise: 'squat', weight: 60, unit: 'kg' });
      expect(String(heard.text)).toContain(row.reps === 15 ? 'fifteen reps' : 'fifty reps');
      const said = await client.next((m) => m.type === 'response_text', from);
      expect(said.text).toBe(`Logged ${row.reps} reps of squat at 60 kilograms.`);
    } finally {
      await client.close();
    }
  });
});
