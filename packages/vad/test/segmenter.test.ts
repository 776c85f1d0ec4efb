import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import { concat, labelledSpeech, noisySpeech, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  EnergyVad,
  SileroVad,
  type SpeechEndEvent,
  type SpeechStartEvent,
  type Vad,
  VadError,
  VadSegmenter,
  type VadSegmenterOptions,
} from '../src/index.js';
import { mono, randomChunks } from './support/signals.js';

interface Recorded {
  starts: SpeechStartEvent[];
  ends: SpeechEndEvent[];
  probabilities: Array<[number, number]>;
}

/** Chunks of interleaved PCM as consecutive frames of the segmenter's format. */
function framesOf(seg: VadSegmenter, chunks: Int16Array[]): AudioFrame[] {
  let position = 0;
  return chunks.map((c) => {
    const f = audioFrame(c, seg.sampleRate, seg.channels, position);
    position += c.length / seg.channels;
    return f;
  });
}

async function run(options: VadSegmenterOptions, chunks: Int16Array[]): Promise<Recorded> {
  const seg = new VadSegmenter(options);
  const rec: Recorded = { starts: [], ends: [], probabilities: [] };
  seg.on('speechStart', (e) => rec.starts.push(e));
  seg.on('speechEnd', (e) => rec.ends.push(e));
  seg.on('probability', (e) => rec.probabilities.push([e.probability, e.startSample]));
  for (const f of framesOf(seg, chunks)) await seg.push(f);
  await seg.flush();
  return rec;
}

const silence = (ms: number, rate = 16000) => new Int16Array((rate * ms) / 1000);
// 1 s silence, 600 ms tone, 1 s silence, 400 ms tone, 1 s silence (16 kHz)
const bursts = (rate = 16000) =>
  concat(
    silence(1000, rate),
    tone(300, rate, 0.6 * rate, 0.3),
    silence(1000, rate),
    tone(300, rate, 0.4 * rate, 0.3),
    silence(1000, rate),
  );

describe('VadSegmenter', () => {
  it('removeAllListeners detaches every listener, or those of one event', async () => {
    const seg = new VadSegmenter({ vad: new EnergyVad() });
    const seen: string[] = [];
    seg.on('speechStart', () => seen.push('start'));
    seg.on('speechEnd', () => seen.push('end'));
    seg.on('probability', () => seen.push('p'));
    seg.removeAllListeners('probability');
    expect(seg.listenerCount('probability')).toBe(0);
    expect(seg.listenerCount('speechStart')).toBe(1);
    await seg.push(mono(bursts().subarray(0, 16000 + 9600)));
    expect(seen).toEqual(['start']);
    seg.removeAllListeners();
    await seg.push(mono(bursts().subarray(16000 + 9600), 16000, 16000 + 9600));
    await seg.flush();
    expect(seen).toEqual(['start']);
  });

  it('emits speechStart/speechEnd at the sample positions of the speech, with prefix-padded audio', async () => {
    const pcm = bursts();
    const rec = await run({ vad: new EnergyVad() }, [pcm]);
    expect(rec.starts).toHaveLength(2);
    expect(rec.ends).toHaveLength(2);
    // EnergyVad needs 2 frames to switch on; the segmenter places the onset where the probability began to rise.
    expect(rec.starts[0].startSample).toBe(16000);
    expect(rec.starts[0].ms).toBe(1000);
    expect(rec.starts[0].audioStartSample).toBe(16000 - 4800);
    expect(rec.starts[0].audioStartMs).toBe(700);
    expect(rec.starts[1].startSample).toBe(16000 + 9600 + 16000);
    // End: the 160 ms hang-over of EnergyVad, then 500 ms of silence to confirm.
    const end0 = rec.ends[0];
    expect(end0.endSample - (16000 + 9600)).toBeGreaterThanOrEqual(0);
    expect(end0.endSample - (16000 + 9600)).toBeLessThanOrEqual(0.2 * 16000);
    expect(end0.reason).toBe('silence');
    expect(end0.audio.data.length).toBe(end0.endSample - end0.audioStartSample);
    expect(end0.audio.position).toBe(end0.audioStartSample);
    expect(end0.audio.sampleRate).toBe(16000);
    expect(end0.audio.channels).toBe(1);
    // The audio is the input itself: 300 ms of padding silence, then the tone.
    expect(Array.from(end0.audio.data.subarray(0, 4800)).every((v) => v === 0)).toBe(true);
    expect(Array.from(end0.audio.data.subarray(4800, 4810))).toEqual(Array.from(pcm.subarray(16000, 16010)));
    expect(rec.probabilities).toHaveLength(Math.ceil(pcm.length / 320));
    expect(rec.probabilities[50][1]).toBe(50 * 320);
  });

  it('gives identical events whatever the input chunking', async () => {
    const pcm = bursts();
    const whole = await run({ vad: new EnergyVad() }, [pcm]);
    for (const seed of [1, 2, 3]) {
      const chunked = await run({ vad: new EnergyVad() }, randomChunks(pcm, 1500, seed));
      expect(chunked).toEqual(whole);
    }
    const tiny = await run({ vad: new EnergyVad() }, randomChunks(pcm, 40, 9));
    expect(tiny).toEqual(whole);
  });

  it('keeps frame order when a listener pushes more audio from inside an event', async () => {
    const pcm = bursts();
    const whole = await run({ vad: new EnergyVad() }, [pcm]);
    const seg = new VadSegmenter({ vad: new EnergyVad() });
    const rec: Recorded = { starts: [], ends: [], probabilities: [] };
    seg.on('speechStart', (e) => rec.starts.push(e));
    seg.on('speechEnd', (e) => rec.ends.push(e));
    const chunks = framesOf(seg, randomChunks(pcm, 900, 8));
    let next = 1;
    seg.on('probability', (e) => {
      rec.probabilities.push([e.probability, e.startSample]);
      if (next < chunks.length) seg.push(chunks[next++]);
    });
    await seg.push(chunks[0]);
    while (next < chunks.length) await seg.push(chunks[next++]);
    await seg.flush();
    expect(rec).toEqual(whole);
  });

  it('resamples other rates to the VAD rate and reports positions in input samples (48 kHz in, 16 kHz VAD)', async () => {
    const at16 = await run({ vad: new EnergyVad() }, [bursts(16000)]);
    const pcm48 = bursts(48000);
    const at48 = await run(
      { vad: new EnergyVad({ sampleRate: 16000 }), sampleRate: 48000 },
      randomChunks(pcm48, 2000, 4),
    );
    expect(at48.starts.map((e) => e.startSample)).toEqual(at16.starts.map((e) => e.startSample * 3));
    expect(at48.ends.map((e) => e.ms)).toEqual(at16.ends.map((e) => e.ms));
    expect(at48.ends[0].audio.data.length).toBe(at48.ends[0].endSample - at48.ends[0].audioStartSample);
    const whole48 = await run({ vad: new EnergyVad({ sampleRate: 16000 }), sampleRate: 48000 }, [pcm48]);
    expect(whole48).toEqual(at48);
  });

  it('mixes stereo to mono for the VAD and keeps both channels in the audio', async () => {
    const left = bursts();
    const stereo = new Int16Array(left.length * 2);
    for (let i = 0; i < left.length; i++) {
      stereo[2 * i] = left[i];
      stereo[2 * i + 1] = -left[i];
    }
    const rec = await run({ vad: new EnergyVad(), channels: 2 }, [
      stereo.subarray(0, 1000),
      stereo.subarray(1000),
    ]);
    // Left and right cancel in the mix (mono silence), so nothing is detected...
    expect(rec.starts).toHaveLength(0);
    for (let i = 0; i < left.length; i++) stereo[2 * i + 1] = left[i];
    const rec2 = await run({ vad: new EnergyVad(), channels: 2 }, [stereo]);
    expect(rec2.starts.map((e) => e.startSample)).toEqual([16000, 41600]);
    expect(rec2.ends[0].audio.data.length).toBe(2 * (rec2.ends[0].endSample - rec2.ends[0].audioStartSample));
  });

  it('ignores blips shorter than minSpeechMs and splits speech longer than maxSpeechMs', async () => {
    const blip = concat(silence(500), tone(300, 16000, 0.06 * 16000, 0.3), silence(1000));
    expect((await run({ vad: new EnergyVad({ stopFrames: 1 }) }, [blip])).starts).toHaveLength(0);
    expect(
      (await run({ vad: new EnergyVad({ stopFrames: 1 }), minSpeechMs: 0 }, [blip])).starts,
    ).toHaveLength(1);
    const long = concat(silence(500), tone(300, 16000, 2.5 * 16000, 0.3), silence(1000));
    const rec = await run({ vad: new EnergyVad(), maxSpeechMs: 1000 }, [long]);
    expect(rec.ends.map((e) => e.reason)).toEqual(['maxSpeech', 'maxSpeech', 'silence']);
    expect(rec.ends[0].endSample - rec.ends[0].startSample).toBe(16000);
    expect(rec.starts[1].startSample).toBe(rec.ends[0].endSample);
  });

  it('ends an open utterance on flush() and then starts a new stream at sample 0', async () => {
    const seg = new VadSegmenter({ vad: new EnergyVad() });
    const ends: SpeechEndEvent[] = [];
    const starts: SpeechStartEvent[] = [];
    seg.on('speechEnd', (e) => ends.push(e));
    seg.on('speechStart', (e) => starts.push(e));
    await seg.push(mono(concat(silence(500), tone(300, 16000, 0.5 * 16000, 0.3))));
    expect(seg.speaking).toBe(true);
    await seg.flush();
    expect(ends).toHaveLength(1);
    expect(ends[0].reason).toBe('flush');
    expect(ends[0].endSample).toBe(16000);
    expect(seg.samplesIn).toBe(0);
    await seg.push(mono(concat(silence(200), tone(300, 16000, 0.5 * 16000, 0.3))));
    expect(starts[1].startSample).toBe(3200);
  });

  it('works with the asynchronous SileroVad: same events for any chunking, speech found in espeak audio', async () => {
    const set = labelledSpeech();
    const pcm = noisySpeech(set, 'pink', 20).subarray(0, 16000 * 8);
    const vad = await SileroVad.create();
    const whole = await run({ vad }, [pcm]);
    // Pushes without awaiting each one: they are still processed in order.
    vad.reset();
    const seg = new VadSegmenter({ vad });
    const starts: number[] = [];
    seg.on('speechStart', (e) => starts.push(e.startSample));
    const pending = framesOf(seg, randomChunks(pcm, 900, 5)).map((f) => seg.push(f));
    await Promise.all(pending);
    await seg.flush();
    expect(starts).toEqual(whole.starts.map((e) => e.startSample));
    expect(whole.starts).toHaveLength(set.utterances.filter(([s]) => s < pcm.length).length);
    for (const [i, e] of whole.starts.entries()) {
      expect(Math.abs(e.startSample - set.utterances[i][0]) / 16).toBeLessThanOrEqual(150);
    }
    await vad.close();
  });

  it('rejects bad input with clear errors', async () => {
    expect(() => new VadSegmenter({} as VadSegmenterOptions)).toThrow(/needs options.vad/);
    expect(() => new VadSegmenter({ vad: new EnergyVad(), threshold: 1.5 })).toThrow(
      /threshold must be in \[0, 1\]/,
    );
    expect(() => new VadSegmenter({ vad: new EnergyVad(), sampleRate: 0 })).toThrow(VadError);
    const seg = new VadSegmenter({ vad: new EnergyVad(), channels: 2 });
    expect(() => seg.push(new Int16Array(10) as unknown as AudioFrame)).toThrow(/expects an AudioFrame/);
    expect(() =>
      seg.push({
        data: new Float32Array(10),
        sampleRate: 16000,
        channels: 2,
        position: 0,
      } as unknown as AudioFrame),
    ).toThrow(/expects an AudioFrame of Int16 PCM/);
    expect(() => seg.push({ data: new Int16Array(3), sampleRate: 16000, channels: 2, position: 0 })).toThrow(
      /expects whole 2-channel frames/,
    );
    expect(() => seg.push(mono(new Int16Array(4)))).toThrow(
      /expects whole 2-channel frames, got 4 samples of 1/,
    );
    const wrongRate = (() => {
      try {
        seg.push(audioFrame(new Int16Array(4), 8000, 2));
      } catch (e) {
        return e as VadError;
      }
    })();
    expect(wrongRate).toBeInstanceOf(VadError);
    expect(wrongRate?.code).toBe('SAMPLE_RATE');
    // A VAD that fails: the push promise rejects with its error, and the segmenter keeps working.
    let fail = true;
    const flaky: Vad = {
      frameSize: 320,
      sampleRate: 16000,
      process: () => (fail ? Promise.reject(new Error('model crashed')) : Promise.resolve(0)),
      reset() {},
    };
    const s2 = new VadSegmenter({ vad: flaky });
    await expect(s2.push(mono(new Int16Array(320)))).rejects.toThrow('model crashed');
    fail = false;
    await expect(s2.push(mono(new Int16Array(320), 16000, 320))).resolves.toBeUndefined();
  });
});
