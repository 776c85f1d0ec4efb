// The client's {"type":"interrupt"} during a spoken reply, against Arnold's embedded realtime server at real
// pace: the response is cancelled, the item truncated at the audio Arnold had sent (this client never reports
// its playback, so what was sent is all Arnold knows; test/playback.test.ts has clients that do), and the
// client is told to drop what it still has queued.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arnold, startArnold } from '../src/server.js';
import { StreamClient, tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;

beforeAll(async () => {
  arnold = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, 'data', 'arnold.db'),
    pacing: 'realtime', // audio arrives at speaking pace, so the reply is still playing when interrupted
    log: () => {},
  });
});

afterAll(async () => {
  await arnold?.close();
  tmp.remove();
});

describe('interrupt', () => {
  it('cancels the reply and truncates its item to the audio sent so far', { timeout: 120000 }, async () => {
    const client = await StreamClient.open(arnold.url);
    try {
      const [session] = arnold.sessions;
      const truncated = new Promise<{ item_id: string; audio_end_ms: number }>((resolve) =>
        session.realtime.once('conversation.item.truncated', resolve),
      );
      client.send({ type: 'text_input', text: 'I just did 10 reps of bench press at 185 pounds' });
      // A quarter of a second of the spoken answer has arrived: interrupt it.
      await client.until(() => client.audioBytes >= 24000 * 2 * 0.25, 'the start of the spoken reply');
      const from = client.messages.length;
      client.send({ type: 'interrupt' });
      const interrupted = await client.next((m) => m.type === 'interrupted', from);
      const done = await client.next((m) => m.type === 'response_done', from);
      expect(done.status).toBe('cancelled');
      const t = await truncated;
      expect(t.item_id).toBe(interrupted.item_id);
      expect(t.audio_end_ms).toBe(interrupted.played_ms);
      // Truncated at what Arnold sent: no audio of the reply follows the interruption.
      await client.next((m) => m.type === 'turn_done', from);
      expect(interrupted.played_ms).toBe(Math.floor(client.audioBytes / 48));
      expect(interrupted.played_ms).toBeGreaterThanOrEqual(250);
      expect(session.playback.reported).toBe(false);
      expect(client.messages.some((m) => m.type === 'error')).toBe(false);
      // The session goes on: the next turn is answered.
      const next = await client.say('show me my recent workouts');
      expect(next.some((m) => m.type === 'turn_done')).toBe(true);
    } finally {
      await client.close();
    }
  });
});
