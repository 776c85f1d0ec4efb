import { audioFrame } from '@voxwire/codecs';
import { dbfs, speech } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  EspeakSynthesizer,
  FormantSynthesizer,
  PocketsphinxTranscriber,
  readStreamingWav,
  SynthesisError,
  TranscriptionError,
} from '../src/index.js';

const signal = new AbortController().signal;

/** Fundamental frequency of a voiced stretch by normalised autocorrelation (80–300 Hz). */
function pitchHz(pcm: Int16Array, rate: number): number {
  let best = 0;
  let bestLag = 0;
  for (let lag = Math.floor(rate / 300); lag <= Math.ceil(rate / 80); lag++) {
    let s = 0;
    for (let i = 0; i + lag < pcm.length; i++) s += pcm[i] * pcm[i + lag];
    s /= pcm.length - lag;
    if (s > best) {
      best = s;
      bestLag = lag;
    }
  }
  return rate / bestLag;
}

describe('FormantSynthesizer', () => {
  it('speaks with a falling pitch around its configured F0, at a speech-like level, deterministically', async () => {
    const synth = new FormantSynthesizer({ sampleRate: 16000, pitchHz: 140 });
    const text = 'aaaa oooo eeee aaaa oooo';
    const a = await synth.synthesize(text, { voice: 'alloy', speed: 1, signal });
    const b = await synth.synthesize(text, { voice: 'alloy', speed: 1, signal });
    expect(Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer))).toBe(0);
    expect(a.sampleRate).toBe(16000);
    const seconds = a.data.length / 16000;
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(3);
    expect(dbfs(a.data)).toBeGreaterThan(-30);
    // Pitch in the first vowel is close to 140 Hz, in the last one about 25 % lower.
    const early = pitchHz(a.data.subarray(Math.round(0.07 * 16000), Math.round(0.17 * 16000)), 16000);
    const late = pitchHz(
      a.data.subarray(a.data.length - Math.round(0.2 * 16000), a.data.length - Math.round(0.1 * 16000)),
      16000,
    );
    expect(early).toBeGreaterThan(125);
    expect(early).toBeLessThan(145);
    expect(late).toBeLessThan(early * 0.85);
    expect(late).toBeGreaterThan(95);
    // Longer text, longer speech; faster speed, shorter speech.
    expect(synth.render(`${text} aaaa oooo`).length).toBeGreaterThan(a.data.length);
    expect(synth.render(text, 1.5).length).toBeLessThan(a.data.length);
  });
});

describe('EspeakSynthesizer', () => {
  it('speaks through espeak-ng at 22.05 kHz and caches repeated phrases', async () => {
    const synth = new EspeakSynthesizer();
    expect(synth.usesEspeak).toBe(true);
    const a = await synth.synthesize('one two three', { voice: 'alloy', speed: 1, signal });
    expect(a.sampleRate).toBe(22050);
    expect(dbfs(a.data)).toBeGreaterThan(-35);
    const again = await synth.synthesize('one two three', { voice: 'alloy', speed: 1, signal });
    expect(again).toBe(a);
    const fast = await synth.synthesize('one two three', { voice: 'alloy', speed: 1.5, signal });
    expect(fast.data.length).toBeLessThan(a.data.length);
  });

  it('falls back to the formant voice when espeak-ng is missing', async () => {
    const synth = new EspeakSynthesizer({ command: 'espeak-ng-not-installed-here' });
    expect(synth.usesEspeak).toBe(false);
    const out = await synth.synthesize('fallback voice', { voice: 'alloy', speed: 1, signal });
    expect(out.sampleRate).toBe(16000);
    expect(
      Buffer.compare(
        Buffer.from(out.data.buffer),
        Buffer.from(new FormantSynthesizer().render('fallback voice').buffer),
      ),
    ).toBe(0);
  });

  it('streams sentences as frames whose positions count the samples before them', async () => {
    const synth = new EspeakSynthesizer({ cacheSize: 0 });
    const frames = [];
    for await (const f of synth.stream('One sentence here. And another one.', {
      voice: 'alloy',
      speed: 1,
      signal,
    }))
      frames.push(f);
    expect(frames.length).toBe(2);
    expect(frames[0].position).toBe(0);
    expect(frames[1].position).toBe(frames[0].data.length);
    expect(frames.every((f) => f.sampleRate === 22050 && f.channels === 1 && dbfs(f.data) > -35)).toBe(true);
  });

  it('speaks with the fallback voice when espeak-ng fails on a piece (PROCESS_FAILED is not thrown)', async () => {
    // `false` exists and always exits 1: a broken espeak-ng.
    const synth = new EspeakSynthesizer({ command: 'false', cacheSize: 0 });
    expect(synth.usesEspeak).toBe(true);
    const out = await synth.synthesize('still spoken', { voice: 'alloy', speed: 1, signal });
    expect(out.sampleRate).toBe(16000);
    expect(
      Buffer.compare(
        Buffer.from(out.data.buffer),
        Buffer.from(new FormantSynthesizer().render('still spoken').buffer),
      ),
    ).toBe(0);
  });

  it('rejects output that is not a WAV stream', () => {
    expect(() => readStreamingWav(Buffer.from('not a wav file at all'))).toThrow(/WAV/);
    expect(() => readStreamingWav(Buffer.from('not a wav file at all'))).toThrow(SynthesisError);
  });
});

describe('PocketsphinxTranscriber', () => {
  it('recognises the key word of espeak-ng speech offline', async () => {
    expect(PocketsphinxTranscriber.isInstalled()).toBe(true);
    const text = await new PocketsphinxTranscriber().transcribe(
      audioFrame(speech('what is the weather in Paris', 24000), 24000),
      { signal },
    );
    expect(text).toMatch(/\bweather\b/);
  });

  it('reports a failed or missing recogniser as a TranscriptionError PROCESS_FAILED', async () => {
    const audio = audioFrame(new Int16Array(1600), 16000);
    const failed = await new PocketsphinxTranscriber({ command: 'false' })
      .transcribe(audio, { signal })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TranscriptionError);
    expect(failed).toMatchObject({ code: 'PROCESS_FAILED' });
    const missing = await new PocketsphinxTranscriber({ command: 'pocketsphinx-not-installed-here' })
      .transcribe(audio, { signal })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'PROCESS_FAILED', cause: { code: 'ENOENT' } });
  });
});
