// The web page's "Stop Arnold" button in headless Chromium (Debian's), against Arnold's embedded realtime
// server at real pace: while the spoken reply plays (the page reporting how far it has played it), the
// button silences the page and sends {"type":"interrupt","played_ms"}; the server cancels the reply and
// truncates it where the page stopped playing, short of the audio it had sent.
import { join } from 'node:path';
import { launchChromium, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arnold, startArnold } from '../src/server.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

beforeAll(async () => {
  arnold = await startArnold({
    port: 0,
    dbPath: join(tmp.dir, 'arnold.db'),
    pacing: 'realtime', // the reply is still arriving (and playing) when the button is pressed
    log: () => {},
  });
});

afterAll(async () => {
  await browser?.close();
  await arnold?.close();
  tmp.remove();
});

describe('web page', () => {
  it('stop button interrupts the spoken reply; the page reconnects after a drop', {
    timeout: 120000,
  }, async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.goto(arnold.url);
    await page.click('#connect');
    await page.waitForSelector('#status:text-matches("connected")', { timeout: 60000 });
    const [session] = arnold.sessions;
    const cut = new Promise<{ item_id: string; audio_end_ms: number }>((resolve) =>
      session.realtime.once('conversation.item.truncated', resolve),
    );
    const done = new Promise<string | undefined>((resolve) =>
      session.realtime.on('responseDone', (e) => {
        if (e.status !== 'completed') resolve(e.status);
      }),
    );
    // Where the page said it was, and what had been sent, when the server cut the reply.
    const atCut = new Promise<{ position: number | undefined; sent: number }>((resolve) =>
      session.realtime.once('interrupted', () =>
        resolve({ position: session.playback.positionMs, sent: session.playback.sentMs }),
      ),
    );
    expect(await page.isDisabled('#stop')).toBe(true); // nothing playing yet

    await page.fill('#text', 'I just did 10 reps of bench press at 185 pounds');
    await page.click('#send');
    // The button comes alive with Arnold's voice; press it.
    await page.waitForSelector('#stop:enabled', { timeout: 60000 });
    // The page reports its playback while it plays.
    await waitUntil(() => (session.playback.positionMs ?? 0) > 0, 'the page to report playing', 60000);
    await page.click('#stop');

    expect(await done).toBe('cancelled');
    const truncated = await cut;
    expect(truncated.audio_end_ms).toBeGreaterThan(0);
    // Cut where the page had got to (the reply is the stream's first audio), before the audio it still had
    // scheduled, i.e. short of what was sent.
    const { position, sent } = await atCut;
    expect(truncated.audio_end_ms).toBe(Math.floor(position ?? Number.NaN));
    expect(truncated.audio_end_ms).toBeLessThan(sent);
    const note = await page.waitForSelector('.info:text-matches("interrupted after")', { timeout: 60000 });
    expect(await note.textContent()).toBe(
      `(interrupted after ${(truncated.audio_end_ms / 1000).toFixed(1)} s)`,
    );
    expect(await page.isDisabled('#stop')).toBe(true); // the page went quiet
    // The tool had already run.
    expect(arnold.store.count()).toBe(1);

    // The connection drops (the server closes it as at shutdown): the page reconnects by itself.
    session.close(1001, 'server shutting down');
    await page.waitForSelector('.info:text("(connection lost; reconnecting)")', { timeout: 60000 });
    await page.waitForSelector('#status:text("connected (local)")', { timeout: 60000 });
    const [again] = arnold.sessions;
    expect(again).not.toBe(session);
    await page.fill('#text', 'what is my bench press progress');
    await page.click('#send');
    await page.waitForSelector('.arnold:text-matches("1 session of bench press")', { timeout: 60000 });
  });
});
