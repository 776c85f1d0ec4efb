// Hostile input against the speech engines: oversized text, hung engine processes, callers that leave.
// Queues stay bounded, aborted callers leave at once, and no process outlives its last caller.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFrame } from '@voxwire/codecs';
import {
  childProcessCount as children,
  waitUntil as until,
  writeStallingEspeak,
} from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EspeakSynthesizer,
  FormantSynthesizer,
  PocketsphinxTranscriber,
  SynthesisError,
  splitForSynthesis,
  TranscriptionError,
} from '../src/index.js';

let dir: string;
let stallingEspeak: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'voxwire-speech-hostile-'));
  stallingEspeak = writeStallingEspeak(dir); // text containing STALL never finishes
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('speech synthesis limits', () => {
  it('splits long text into sentence-sized pieces, never longer than the chunk limit', () => {
    const text = `Hello there. ${'a'.repeat(1000)} and then, some more words. Done!`;
    const pieces = splitForSynthesis(text, 100);
    expect(pieces[0]).toBe('Hello there.');
    expect(pieces.every((p) => p.length <= 100)).toBe(true);
    expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    expect(splitForSynthesis('Pi is 3.14 today. Yes.', 400)).toEqual(['Pi is 3.14 today.', 'Yes.']);
  });

  it('refuses text over maxTextLength with a typed error, in espeak-ng and in the formant voice', async () => {
    const signal = new AbortController().signal;
    const opts = { voice: 'alloy', speed: 1, signal };
    for (const synth of [
      new EspeakSynthesizer({ maxTextLength: 1000 }),
      new FormantSynthesizer({ maxTextLength: 1000 }),
    ]) {
      const err = await synth.synthesize('x'.repeat(1001), opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SynthesisError);
      expect(err).toMatchObject({ code: 'TEXT_TOO_LONG' });
      expect((err as Error).message).toContain('maxTextLength');
    }
  });

  it('speaks a 200 000-character reply argument-free: one espeak-ng run per piece, streamed', async () => {
    // 200 000 characters in one argument is over Linux's 128 KiB limit for one argument (E2BIG).
    const synth = new EspeakSynthesizer({ maxTextLength: 200_000, maxChunkLength: 4000, cacheSize: 0 });
    expect(synth.usesEspeak).toBe(true);
    const text = `Start. ${'la '.repeat(66_000)}`;
    const pieces: number[] = [];
    const ac = new AbortController();
    for await (const piece of synth.stream(text, { voice: 'alloy', speed: 4, signal: ac.signal })) {
      pieces.push(piece.data.length);
      if (pieces.length === 3) {
        ac.abort(); // streamed: the first pieces arrive before the rest is made, and the rest is not made
        break;
      }
    }
    expect(pieces.length).toBe(3);
    expect(pieces.every((n) => n > 0)).toBe(true);
    await until(() => children('espeak-ng') === 0 && synth.running === 0, 'espeak-ng to stop');
  });

  it('the formant voice renders long text in pieces, letting the event loop run between them', async () => {
    const synth = new FormantSynthesizer();
    const order: string[] = [];
    const job = synth
      .synthesize('Mama papa. '.repeat(800), {
        voice: 'alloy',
        speed: 1,
        signal: new AbortController().signal,
      })
      .then((a) => {
        order.push('synthesized');
        return a;
      });
    setImmediate(() => order.push('event loop ran'));
    const audio = await job;
    expect(order).toEqual(['event loop ran', 'synthesized']);
    expect(audio.data.length).toBeGreaterThan(16000 * 60);
  });

  it('bounds the queue of espeak-ng runs and takes aborted callers out of it', async () => {
    const synth = new EspeakSynthesizer({
      command: stallingEspeak,
      concurrency: 1,
      maxQueued: 2,
      cacheSize: 0,
    });
    const callers = [0, 1, 2].map(() => new AbortController());
    const jobs = callers.map((c, i) =>
      synth
        .synthesize(`STALL number ${i}`, { voice: 'alloy', speed: 1, signal: c.signal })
        .catch((e: unknown) => e),
    );
    await until(
      () => synth.running === 1 && synth.queued === 2 && children('sleep') === 1,
      'one running, two queued',
    );
    const refused = await synth
      .synthesize('STALL one too many', { voice: 'alloy', speed: 1, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'QUEUE_FULL' });
    for (const c of callers) c.abort();
    for (const r of await Promise.all(jobs)) expect(r).toMatchObject({ code: 'ABORTED' });
    await until(
      () => synth.running === 0 && synth.queued === 0 && children('sleep') === 0,
      'the hung run to be killed',
    );
  });

  it('bounds the queue of pocketsphinx runs and kills the run of a caller that left', async () => {
    const stalling = join(dir, 'pocketsphinx-stall');
    writeFileSync(stalling, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(stalling, 0o755);
    const stt = new PocketsphinxTranscriber({ command: stalling, concurrency: 1, maxQueued: 1 });
    const audio = audioFrame(new Int16Array(1600), 16000);
    const callers = [0, 1].map(() => new AbortController());
    const jobs = callers.map((c) => stt.transcribe(audio, { signal: c.signal }).catch((e: unknown) => e));
    await until(() => stt.queued === 1 && children('sleep') === 1, 'one running, one queued');
    const refused = await stt
      .transcribe(audio, { signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TranscriptionError);
    expect(refused).toMatchObject({ code: 'QUEUE_FULL' });
    for (const c of callers) c.abort();
    const [running, waiting] = await Promise.all(jobs);
    expect(running).toBeInstanceOf(Error);
    expect(waiting).toMatchObject({ code: 'ABORTED' });
    await until(() => stt.queued === 0 && children('sleep') === 0, 'the hung run to be killed');
  });
});
