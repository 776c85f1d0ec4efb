// Several clients at once on one Arnold: their turns run concurrently, each gets the answer to its own
// request, each session keeps its own conversation (what the model remembers), and the shared workout log
// gets every set once. One client leaving does not disturb the others.
import { describe, expect, it } from 'vitest';
import { arnoldPerFile, StreamClient } from './helpers.js';

const fixture = arnoldPerFile({ pacing: 'fast' });
const SETS = [
  { exercise: 'squat', reps: 5, weight: 225 },
  { exercise: 'deadlift', reps: 3, weight: 315 },
  { exercise: 'bench press', reps: 8, weight: 155 },
  { exercise: 'curl', reps: 12, weight: 30 },
];

describe('concurrent sessions', () => {
  it('keeps each session to itself', { timeout: 120000 }, async () => {
    const arnold = fixture.arnold();
    const clients = await Promise.all(SETS.map(() => StreamClient.open(arnold.url)));
    try {
      expect(arnold.sessions.size).toBe(SETS.length);
      const said = SETS.map((s) => `I just did ${s.reps} reps of ${s.exercise} at ${s.weight} pounds`);
      const answers = await Promise.all(clients.map((c, i) => c.say(said[i])));
      answers.forEach((msgs, i) => {
        const s = SETS[i];
        expect(msgs.find((m) => m.type === 'tool_call')?.arguments).toBe(
          JSON.stringify({ exercise: s.exercise, reps: s.reps, weight: s.weight, unit: 'lbs' }),
        );
        expect(msgs.find((m) => m.type === 'response_text')?.text).toBe(
          `Logged ${s.reps} reps of ${s.exercise} at ${s.weight} pounds.`,
        );
      });
      expect(arnold.store.count()).toBe(SETS.length);

      // Each conversation is its own: "what did I say first" is answered from that session only.
      const recalls = await Promise.all(clients.map((c) => c.say('what did I say first')));
      recalls.forEach((msgs, i) => {
        expect(msgs.find((m) => m.type === 'response_text')?.text).toBe(`You first said: ${said[i]}`);
      });
      const metrics = (await (await fetch(`${arnold.url}/metrics`)).json()) as Record<string, number>;
      expect(metrics).toMatchObject({ active_sessions: SETS.length, function_calls: SETS.length });

      // One leaves; the others go on.
      await clients[0].close();
      const rest = await Promise.all(clients.slice(1).map((c) => c.say('show me my last 1 workouts')));
      for (const msgs of rest)
        expect(msgs.find((m) => m.type === 'response_text')?.text).toMatch(/^Your recent workouts: /);
      expect(clients.slice(1).every((c) => !c.messages.some((m) => m.type === 'error'))).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
