/// <reference lib="dom" />
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { wav } from '@voxwire/codecs';
import { CHROMIUM, launchChromium } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jarvis, startJarvis } from '../src/index.js';
import { speech, startTestJarvis, testTokens } from './helpers.js';

/** What the page records in `window.jarvisStats`. */
interface PageStats {
  sttResults: string[];
  responses: string[];
  ttsResults: { sample_rate: number; duration_ms: number }[];
  errors: { code: string; message: string }[];
  replySamples: number;
  playedPeakDb: number;
  micPeakDb: number;
  micRate: number;
}

const { tokens, tokenOf } = testTokens(1);

describe.skipIf(!existsSync(CHROMIUM))('web UI in headless Chromium', () => {
  let dir: string;
  let jarvis: Jarvis;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    jarvis = await startTestJarvis(tokens);
    dir = mkdtempSync(join(tmpdir(), 'jarvis-browser-'));
    // The fake microphone: a spoken command then 2.5 s of silence, 16-bit 48 kHz (Chromium loops the file).
    const mic = join(dir, 'command.wav');
    writeFileSync(
      mic,
      wav.write({
        sampleRate: 48000,
        channels: 1,
        data: speech('what is the weather in tokyo', 48000, { leadMs: 500, tailMs: 2500 }),
      }),
    );
    browser = await launchChromium({ fakeMicWav: mic });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await jarvis?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the talk button streams the fake microphone: transcript, plugin answer and the spoken reply are seen and heard', async () => {
    const page = await browser.context.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    // Any failed wait reports what the page logged (script errors would otherwise stay invisible).
    const step = <T>(p: Promise<T>): Promise<T> =>
      p.catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\npage log:\n${logs.join('\n')}`);
      });
    // raw=1: no echo cancellation or AGC on the fake microphone (they would lower its level ~20 dB).
    await page.goto(`${jarvis.core.url}/#token=${tokenOf('user0')}&raw=1`);
    await step(page.waitForSelector('#talk:not([disabled])', { timeout: 30000 }));
    await step(page.waitForSelector('#core-state[data-state="connected"]', { timeout: 30000 }));
    expect(await page.textContent('#user')).toBe('Signed in as user0');

    await page.click('#talk');
    await step(page.waitForSelector('#audio-state[data-state="streaming"]', { timeout: 30000 }));
    // Wait until a reply has been spoken and played back through the page's analyser.
    await page
      .waitForFunction(
        () => {
          const s = (window as unknown as { jarvisStats: PageStats }).jarvisStats;
          return s.ttsResults.length > 0 && s.replySamples > 0 && s.playedPeakDb > -40;
        },
        undefined,
        { timeout: 100000, polling: 250 },
      )
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\npage log:\n${logs.join('\n')}`);
      });
    const stats = (await page.evaluate(
      () => (window as unknown as { jarvisStats: PageStats }).jarvisStats,
    )) as PageStats;
    console.log(
      `browser: heard "${stats.sttResults[0]}", reply "${stats.responses[0]}", mic peak ${stats.micPeakDb.toFixed(1)} dBFS, playback peak ${stats.playedPeakDb.toFixed(1)} dBFS`,
    );
    expect(stats.sttResults[0]).toBe('what is the weather in tokyo');
    expect(stats.responses[0]).toContain('Tokyo');
    // Streamed at the page's AudioContext rate (44.1 or 48 kHz) and answered at the same rate.
    expect(stats.micRate).toBeGreaterThanOrEqual(44100);
    expect(stats.ttsResults[0].sample_rate).toBe(stats.micRate);
    expect(stats.micPeakDb).toBeGreaterThan(-40);
    expect(stats.errors).toEqual([]);
    // The transcript list shows both sides.
    const lines = await page.$$eval('#transcript li', (els) =>
      els.map((e) => `${e.className}|${e.textContent}`),
    );
    expect(lines[0]).toBe('user|You: what is the weather in tokyo');
    expect(lines[1]).toMatch(/^jarvis\|Jarvis: Weather in Tokyo/);
    // The waveform canvas has been drawn.
    const drawn = await page.$eval('#waveform', (c) => (c as HTMLCanvasElement).toDataURL().length);
    expect(drawn).toBeGreaterThan(1000);

    // Stop talking (the audio session stays open), then the text chat: the answer is shown and spoken.
    await page.click('#talk');
    await step(page.waitForSelector('#audio-state[data-state="idle"]', { timeout: 30000 }));
    const spoken = stats.ttsResults.length;
    await page.fill('#chat-input', '/calc 2 * 21');
    await page.click('#send');
    await page.waitForFunction(
      () => document.querySelector('#transcript')?.textContent?.includes('2 * 21 = 42'),
      undefined,
      { timeout: 30000 },
    );
    await page.waitForFunction(
      (n) => (window as unknown as { jarvisStats: PageStats }).jarvisStats.ttsResults.length > n,
      spoken,
      { timeout: 30000 },
    );
    await page.close();
  }, 120000);

  // A page from another machine over plain http is not a secure context: the browser has no microphone
  // for it, and the page must say so (not fail on an undefined navigator.mediaDevices).
  it.skipIf(!lanAddress())(
    'over plain http from a non-loopback address, Talk says that a secure context is needed',
    async () => {
      const lan = await startJarvis({ tokens, host: lanAddress(), corePort: 0, audioPort: 0 });
      const page = await browser.context.newPage();
      try {
        await page.goto(`${lan.core.url}/#token=${tokenOf('user0')}`);
        await page.waitForSelector('#talk:not([disabled])', { timeout: 30000 });
        expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
        await page.click('#talk');
        const error = await page.waitForSelector('#transcript li.error', { timeout: 30000 });
        expect(await error.textContent()).toBe(
          'Error: no microphone on plain http from another machine: open Jarvis over https or on localhost (README, "Use it for real")',
        );
      } finally {
        await page.close();
        await lan.close();
      }
    },
    60000,
  );
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
