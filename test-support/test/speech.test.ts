import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concat, dbfs, silence, speech, voicedSpan, writeSpeechWav } from '../src/index.js';

const SENTENCE = 'The quick brown fox jumps over the lazy dog.';

describe('speech', () => {
  it('is audible speech of a plausible duration at the asked rate', () => {
    const pcm = speech(SENTENCE, 16000);
    const seconds = pcm.length / 16000;
    // Nine words at 175 words per minute: about 3 s, with espeak's short pauses around them.
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(6);
    expect(dbfs(pcm)).toBeGreaterThan(-35);
    // Padded with half a second of silence on each side, the voiced span is found inside the padding.
    const padded = concat(silence(8000), pcm, silence(8000));
    const { first, last } = voicedSpan(padded);
    expect(first).toBeGreaterThanOrEqual(8000);
    expect(last).toBeLessThan(8000 + pcm.length);
    expect((last - first) / 16000).toBeGreaterThan(1.5);
    expect(voicedSpan(silence(100))).toEqual({ first: -1, last: -1 });
    const at8k = speech(SENTENCE, 8000);
    expect(Math.abs(at8k.length * 2 - pcm.length)).toBeLessThan(40);
  });

  it('speaks slower when asked, and hands out copies of its cached result', () => {
    const normal = speech(SENTENCE, 16000);
    const slow = speech(SENTENCE, 16000, { wordsPerMinute: 110 });
    expect(slow.length).toBeGreaterThan(normal.length * 1.3);
    normal.fill(0);
    expect(dbfs(speech(SENTENCE, 16000))).toBeGreaterThan(-35);
  });

  it('writes a WAV file that holds the same speech at 22.05 kHz', () => {
    const dir = mkdtempSync(join(tmpdir(), 'test-support-'));
    try {
      const { pcm, sampleRate } = writeSpeechWav(join(dir, 'fox.wav'), SENTENCE);
      expect(sampleRate).toBe(22050);
      expect(dbfs(pcm)).toBeGreaterThan(-35);
      const resampled = speech(SENTENCE, 22050);
      expect(Math.abs(resampled.length - pcm.length)).toBeLessThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
