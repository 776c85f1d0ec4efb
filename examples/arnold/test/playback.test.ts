// Playback reports ({"type":"playback","played_ms":N}: how far the client's playback has got in the stream of
// Arnold's audio) against Arnold's embedded realtime server at real pace: an interrupted reply is truncated
// where the client says it stopped playing, never beyond what was sent; a report cannot count audio not yet
// sent; malformed reports get a typed error and the session goes on. A client that never reports keeps the
// cut at the audio sent (test/interrupt.test.ts).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PLAYED_MS } from '../src/client-input.js';
import { ClientPlayback, MAX_TRACKED_ITEMS } from '../src/playback.js';
import { type Arnold, startArnold } from '../src/server.js';
import type { ArnoldSession } from '../src/session.js';
import { type Msg, StreamClient, speak, streamSpeech, tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;

beforeAll(async () => {
  arnold = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, 'arnold.db'),
    pacing: 'realtime', // the reply is still arriving when it is interrupted
    log: () => {},
  });
});

afterAll(async () => {
  await arnold?.close();
  tmp.remove();
});

/** Ms of Arnold's stream a client has received (PCM16 at 24 kHz: 48 bytes a ms). */
const receivedMs = (c: StreamClient) => c.audioBytes / 48;

/** The session serving the client opened last. */
function lastSession(): ArnoldSession {
  const sessions = [...arnold.sessions];
  const s = sessions[sessions.length - 1];
  if (!s) throw new Error('no session');
  return s;
}

/** Every `conversation.item.truncate` the model (the realtime server) confirmed, in order. */
function truncations(session: ArnoldSession): Array<{ item_id: string; audio_end_ms: number }> {
  const seen: Array<{ item_id: string; audio_end_ms: number }> = [];
  session.realtime.on('conversation.item.truncated', (e) =>
    seen.push({ item_id: e.item_id, audio_end_ms: e.audio_end_ms }),
  );
  return seen;
}

/**
 * Starts a spoken reply to `text`, waits until `ms` more of it than `after` has arrived, runs `interrupt` and
 * waits for the end of the turn; returns the `interrupted` message and the cancelled `response_done`.
 */
async function interruptReply(
  client: StreamClient,
  text: string,
  after: number,
  ms: number,
  interrupt: () => void,
): Promise<{ interrupted: Msg; done: Msg }> {
  const from = client.messages.length;
  client.send({ type: 'text_input', text });
  await client.until(() => receivedMs(client) >= after + ms, `${ms} ms of the spoken reply`);
  interrupt();
  const interrupted = await client.next((m) => m.type === 'interrupted', from);
  const done = await client.next((m) => m.type === 'response_done' && m.status !== 'completed', from);
  await client.next((m) => m.type === 'turn_done', from);
  return { interrupted, done };
}

/**
 * Runs `test` with a new client, the session serving it and that session's confirmed truncations; closes the
 * client afterwards, whatever happened.
 */
async function withSession(
  test: (
    client: StreamClient,
    session: ArnoldSession,
    cut: Array<{ item_id: string; audio_end_ms: number }>,
  ) => Promise<void>,
): Promise<void> {
  const client = await StreamClient.open(arnold.url);
  try {
    const session = lastSession();
    await test(client, session, truncations(session));
  } finally {
    await client.close();
  }
}

describe('playback reports', () => {
  it('truncate an interrupted reply where the client stopped playing, reply after reply', {
    timeout: 120000,
  }, async () => {
    await withSession(async (client, session, cut) => {
      // First reply (the stream starts at 0): 500 ms has arrived, the client has played 200 of it.
      const first = await interruptReply(
        client,
        'I just did 10 reps of bench press at 185 pounds',
        0,
        500,
        () => {
          client.send({ type: 'playback', played_ms: 200 });
          client.send({ type: 'interrupt' });
        },
      );
      expect(first.done.status).toBe('cancelled');
      expect(first.interrupted.played_ms).toBe(200);
      await client.until(() => cut.length === 1, 'the model to confirm the truncation');
      expect(cut[0]).toEqual({ item_id: first.interrupted.item_id, audio_end_ms: 200 });
      // The client dropped the rest: its position is now the end of what it received, which is where the
      // next reply starts in the stream.
      const start = receivedMs(client);
      expect(start).toBeGreaterThanOrEqual(500);
      client.send({ type: 'playback', played_ms: Math.floor(start) });

      // Second reply: the report rides on the interrupt; the cut is 300 ms into the new item.
      const report = Math.ceil(start) + 300;
      const second = await interruptReply(client, 'show me my recent workouts', start, 600, () =>
        client.send({ type: 'interrupt', played_ms: report }),
      );
      expect(second.interrupted.item_id).not.toBe(first.interrupted.item_id);
      const expected = Math.floor(report - start);
      expect(expected).toBeGreaterThanOrEqual(300);
      expect(second.interrupted.played_ms).toBe(expected);
      await client.until(() => cut.length === 2, 'the model to confirm the second truncation');
      expect(cut[1]).toEqual({ item_id: second.interrupted.item_id, audio_end_ms: expected });
      expect(client.messages.some((m) => m.type === 'error')).toBe(false);

      // A reply played to the end and reported so is not cut: an interrupt after it finds nothing playing.
      const from = client.messages.length;
      await client.say('what is my bench press progress');
      client.send({ type: 'playback', played_ms: Math.ceil(receivedMs(client)) });
      client.send({ type: 'interrupt' });
      client.send({ type: 'ping' });
      await client.next((m) => m.type === 'pong', from);
      expect(session.playback.positionMs).toBe(session.playback.sentMs);
      expect(client.messages.slice(from).some((m) => m.type === 'interrupted')).toBe(false);
      expect(cut).toHaveLength(2);
    });
  });

  it('talking over a reply the client is still playing cuts it where playback is, though all of it was sent', {
    timeout: 120000,
  }, async () => {
    await withSession(async (client, _session, cut) => {
      // The whole reply has arrived (as OpenAI's faster-than-real-time audio does); the client has played
      // 400 ms of it when the user starts talking.
      await client.say('I just did 10 reps of deadlift at 225 pounds');
      expect(receivedMs(client)).toBeGreaterThan(1000);
      const from = client.messages.length;
      client.send({ type: 'playback', played_ms: 400 });
      streamSpeech(client, speak('show me my recent workouts'));
      await client.next((m) => m.type === 'speech_started', from);
      const interrupted = await client.next((m) => m.type === 'interrupted', from);
      expect(interrupted.played_ms).toBe(400);
      await client.until(() => cut.length === 1, 'the model to confirm the truncation');
      expect(cut[0]).toEqual({ item_id: interrupted.item_id, audio_end_ms: 400 });
      // The user's words are answered.
      const answer = await client.next((m) => m.type === 'response_text', from);
      expect(String(answer.text)).toMatch(/deadlift/);
    });
  });

  it('caps a report at the audio sent, so it cannot count a later reply as heard', {
    timeout: 120000,
  }, async () => {
    await withSession(async (client, session, cut) => {
      // An hour "played" of a reply half a second into its audio: the cut is at what was sent.
      const first = await interruptReply(client, 'I just did 5 reps of squat at 100 kg', 0, 500, () =>
        client.send({ type: 'interrupt', played_ms: 3_600_000 }),
      );
      // Nothing of the reply follows `interrupted`: everything received is everything sent.
      expect(first.interrupted.played_ms).toBe(Math.floor(receivedMs(client)));
      expect(session.playback.positionMs).toBeLessThanOrEqual(session.playback.sentMs);
      await client.until(() => cut.length === 1, 'the model to confirm the truncation');
      expect(cut[0]?.audio_end_ms).toBe(first.interrupted.played_ms);

      // The next reply starts after the capped position: without a new report none of it was heard.
      const start = receivedMs(client);
      const second = await interruptReply(client, 'show me my recent workouts', start, 400, () =>
        client.send({ type: 'interrupt' }),
      );
      expect(second.interrupted.played_ms).toBe(0);
      await client.until(() => cut.length === 2, 'the model to confirm the second truncation');
      expect(cut[1]).toEqual({ item_id: second.interrupted.item_id, audio_end_ms: 0 });
    });
  });

  it('malformed reports get a typed error, change nothing, and the session goes on', {
    timeout: 120000,
  }, async () => {
    await withSession(async (client, session) => {
      const bad: unknown[] = [
        { type: 'playback' },
        { type: 'playback', played_ms: -1 },
        { type: 'playback', played_ms: '120' },
        { type: 'playback', played_ms: null },
        { type: 'playback', played_ms: [5] },
        { type: 'playback', played_ms: MAX_PLAYED_MS + 1 },
        '{"type":"playback","played_ms":1e400}',
        { type: 'interrupt', played_ms: -5 },
        { type: 'interrupt', played_ms: { ms: 5 } },
      ];
      for (const msg of bad) {
        const from = client.messages.length;
        client.send(msg);
        const err = await client.next((m) => m.type === 'error', from);
        expect(err).toMatchObject({ source: 'client', code: 'invalid_message' });
        expect(String(err.message)).toMatch(/played_ms/);
      }
      expect(session.playback.reported).toBe(false);
      expect(client.messages.some((m) => m.type === 'interrupted')).toBe(false);
      // Fractions and the bounds themselves are fine.
      client.send({ type: 'playback', played_ms: 0 });
      client.send({ type: 'playback', played_ms: MAX_PLAYED_MS });
      client.send({ type: 'playback', played_ms: 12.5 });
      const pingFrom = client.messages.length;
      client.send({ type: 'ping' }); // answered after the reports before it were handled
      await client.next((m) => m.type === 'pong', pingFrom);
      expect(session.playback.reported).toBe(true);
      expect(client.messages.filter((m) => m.type === 'error')).toHaveLength(bad.length);
      // The session goes on.
      const answer = await client.say('show me my recent workouts');
      expect(answer.some((m) => m.type === 'response_text')).toBe(true);
    });
  });
});

describe('ClientPlayback', () => {
  it('maps the stream position to each item, capped at what was sent of it', () => {
    const p = new ClientPlayback();
    p.sent('a', 2400); // 100 ms
    p.sent('a', 2400);
    p.sent('b', 4800); // 200 ms, starting at 200 ms
    // Before any report: what was sent (the realtime client's own assumption).
    expect(p.reported).toBe(false);
    expect([p.playedMs('a'), p.playedMs('b'), p.playedMs('unknown')]).toEqual([200, 200, 0]);
    p.report(250);
    expect([p.playedMs('a'), p.playedMs('b')]).toEqual([200, 50]);
    p.report(120); // the latest report counts
    expect([p.playedMs('a'), p.playedMs('b')]).toEqual([120, 0]);
    p.report(10_000); // capped at the 400 ms sent …
    expect(p.positionMs).toBe(400);
    p.sent('c', 2400); // … so audio sent afterwards is not counted as heard
    expect([p.playedMs('b'), p.playedMs('c')]).toEqual([200, 0]);
    p.report(Number.NaN);
    p.report(-1);
    expect(p.positionMs).toBe(400);
  });

  it('remembers a bounded number of items and ignores everything once ended', () => {
    const p = new ClientPlayback();
    for (let i = 0; i < 10 * MAX_TRACKED_ITEMS; i++) p.sent(`item${i}`, 240);
    expect(p.trackedItems).toBe(MAX_TRACKED_ITEMS);
    expect(p.playedMs('item0')).toBe(0); // long over, forgotten
    p.report(1);
    p.end();
    p.report(50_000); // a late report of an ended session
    p.sent('late', 2400);
    expect(p.positionMs).toBe(1);
    expect(p.trackedItems).toBe(MAX_TRACKED_ITEMS);
    expect(p.playedMs('late')).toBe(0);
  });
});
