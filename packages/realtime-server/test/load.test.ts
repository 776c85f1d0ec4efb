import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '../src/index.js';
import { concat, RawClient, speak } from './helpers.js';

// A short CI version of the load run; the 100-session run with CPU per session is the `realtime-server`
// benchmark (benchmarks/suites/realtime-server.ts).
const SESSIONS = 8;
const TURNS = 2;

let server: RealtimeServer;
beforeAll(async () => {
  server = await createRealtimeServer({
    pacing: 'fast',
    engines: {
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([{ text: 'First answer.' }, { text: 'Second answer.' }]),
    },
  });
});
afterAll(() => server.close());

describe('concurrent sessions with server VAD', () => {
  it(`answers every turn of ${SESSIONS} sessions streaming ${TURNS} spoken turns each`, async () => {
    const utterance = concat(speak('please answer this question'), new Int16Array(24000));
    const clients = await Promise.all(Array.from({ length: SESSIONS }, () => RawClient.connect(server.url)));
    expect(server.sessionCount).toBe(SESSIONS);
    await Promise.all(
      clients.map(async (c) => {
        for (let turn = 0; turn < TURNS; turn++) {
          c.appendAudio(utterance, 2400);
          await waitForResponses(c, turn + 1);
        }
      }),
    );
    for (const c of clients) {
      const done = c.events
        .filter((e) => e.type === 'response.done')
        .map(
          (e) => e.response as { status: string; output: Array<{ content: Array<{ transcript: string }> }> },
        );
      expect(done.length).toBe(TURNS);
      expect(done.map((r) => r.status)).toEqual(Array(TURNS).fill('completed'));
      expect(done.map((r) => r.output[0].content[0].transcript)).toEqual(['First answer.', 'Second answer.']);
      expect(c.events.filter((e) => e.type === 'input_audio_buffer.committed').length).toBe(TURNS);
      expect(c.events.filter((e) => e.type === 'error')).toEqual([]);
      // No event of another session leaked in: every item id mentioned was announced to this client.
      const ids = new Set(
        c.events.flatMap((e) =>
          e.type === 'conversation.item.added' ? [(e.item as { id: string }).id] : [],
        ),
      );
      for (const e of c.events) if (typeof e.item_id === 'string') expect(ids.has(e.item_id)).toBe(true);
      c.close();
    }
  });
});

async function waitForResponses(c: RawClient, n: number): Promise<void> {
  while (c.events.filter((e) => e.type === 'response.done').length < n) await c.nextNew('response.done');
}
