// The web page in headless Chromium (Debian's; nothing downloaded) with a fake microphone playing espeak-ng
// speech: the page captures at 24 kHz, streams PCM16 to /realtime/stream, and shows what Arnold did.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wav } from '@voxwire/codecs';
import { launchChromium } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arnold, startArnold } from '../src/server.js';
import { speak, tempDir } from './helpers.js';

const tmp = tempDir();
let arnold: Arnold;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

beforeAll(async () => {
  arnold = await startArnold({ port: 0, dbPath: join(tmp.dir, 'arnold.db'), pacing: 'fast', log: () => {} });
});

afterAll(async () => {
  await browser?.close();
  await arnold?.close();
  tmp.remove();
});

describe('web page', () => {
  it('talks to Arnold from a browser microphone and by typing', { timeout: 120000 }, async () => {
    // Fake mic: half a second of silence, the request, two seconds of silence (Chromium loops the file).
    const speech = speak('show me my recent workouts');
    const pcm = new Int16Array(12000 + speech.length + 48000);
    pcm.set(speech, 12000);
    const micFile = join(tmp.dir, 'mic.wav');
    writeFileSync(micFile, wav.write({ sampleRate: 24000, channels: 1, data: pcm }));
    browser = await launchChromium({ fakeMicWav: micFile });
    const page = await browser.context.newPage();
    await page.goto(`${arnold.url}/?raw=1`);
    await page.click('#connect');
    await page.waitForSelector('#status:text-matches("connected \\\\(local\\\\)")', { timeout: 60000 });

    await page.fill('#text', 'I just did 10 reps of bench press at 185 pounds');
    await page.click('#send');
    await page.waitForSelector('.arnold:text("Logged 10 reps of bench press at 185 pounds.")', {
      timeout: 60000,
    });
    expect(arnold.store.count()).toBe(1);

    await page.click('#mic');
    await page.waitForSelector('.tool:text-matches("get_recent_workouts")', { timeout: 60000 });
    await page.waitForSelector('.arnold:text-matches("Your recent workouts: 10 reps of bench press")', {
      timeout: 60000,
    });
    const heard = await page.locator('.you').allTextContents();
    expect(heard.some((line) => /recent workouts/.test(line))).toBe(true);
  });
});
