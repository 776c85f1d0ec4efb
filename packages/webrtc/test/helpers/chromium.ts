import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium; playwright never downloads a browser here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Writes a 16-bit mono 48 kHz sine WAV with sox (Chromium's fake mic ignores 24-bit files). */
export function writeToneWav(dir: string, freq: number, amplitude: number, seconds = 10): string {
  const file = join(dir, `tone-${freq}.wav`);
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-b',
    '16',
    '-c',
    '1',
    file,
    'synth',
    String(seconds),
    'sine',
    String(freq),
    'vol',
    String(amplitude),
  ]);
  return file;
}

/** A headless Chromium with a fake microphone playing `wav`, in a fresh profile; `close()` removes it. */
export async function launchChromium(
  wav: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'voxwire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A loopback-only machine: without this Chromium gathers no ICE candidates at all.
      '--allow-loopback-in-peer-connection',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
