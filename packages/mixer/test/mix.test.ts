import { Resampler } from '@voxwire/codecs';
import { estimatePitchHz, rms, speech, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioMixer } from '../src/index.js';
import { collect, frame } from './audio-helpers.js';

describe('AudioMixer mixing', () => {
  it('sums known inputs sample-exactly, independent of how they were chunked', () => {
    const a = tone(440, 16_000, 6400, 9000 / 32_767);
    const b = tone(1000, 16_000, 6400, 7000 / 32_767);
    const mixer = new AudioMixer({ sampleRate: 16_000, frameMs: 20 });
    mixer.addStream('a', { jitterMs: 0 });
    mixer.addStream('b', { jitterMs: 0 });
    // a in one go, b in ragged chunks.
    mixer.pushAudio('a', frame(a, 16_000));
    for (let i = 0, k = 1; i < b.length; i += k, k = (k * 7 + 3) % 997)
      mixer.pushAudio('b', frame(b.subarray(i, i + k), 16_000));
    const out = collect(mixer, 20);
    let mismatches = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== a[i] + b[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(mixer.stats().limitedSamples).toBe(0);
  });

  it('gives stereo AudioFrames with mono inputs spread to both channels', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, channels: 2, frameMs: 10 });
    mixer.addStream('mono', { channels: 1, jitterMs: 0 });
    mixer.addStream('stereo', { channels: 2, jitterMs: 0 });
    mixer.pushAudio('mono', frame(new Int16Array(80).fill(8192), 8000, 1));
    mixer.pushAudio(
      'stereo',
      frame(
        Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? -4096 : 4096)),
        8000,
        2,
      ),
    );
    const out = mixer.mixFrame();
    expect(out).toMatchObject({ sampleRate: 8000, channels: 2, position: 0 });
    expect(out.data).toBeInstanceOf(Int16Array);
    expect(out.data.length).toBe(160);
    for (let i = 0; i < 160; i += 2) {
      expect(out.data[i]).toBe(12_288);
      expect(out.data[i + 1]).toBe(4096);
    }
    expect(mixer.mixFrame().position).toBe(80);
  });

  it('resamples an 8 kHz input into a 48 kHz mix keeping pitch and level', () => {
    const mixer = new AudioMixer({ sampleRate: 48_000, frameMs: 20 });
    mixer.addStream('phone', { sampleRate: 8000, maxBufferMs: 2000 });
    const input = tone(440, 8000, 8000, 10_000 / 32_767);
    for (let i = 0; i < input.length; i += 160)
      mixer.pushAudio('phone', frame(input.subarray(i, i + 160), 8000));
    const out = collect(mixer, 45);
    const steady = out.subarray(4800, 40_000);
    expect(estimatePitchHz(steady, 48_000)).toBeCloseTo(440, 0);
    expect(rms(steady) / (10_000 / 32_768 / Math.SQRT2)).toBeCloseTo(1, 2);
  });

  it('mixes espeak-ng speech (resampled) with a tone; the mix-minus output is exactly the speech alone', () => {
    // espeak-ng's own rate: sox passes it through unconverted.
    const sampleRate = 22_050;
    const pcm = speech('the mixer leaves this leg out of its own return', sampleRate);
    const mixer = new AudioMixer({ sampleRate: 48_000, frameMs: 20 });
    mixer.addStream('caller', { sampleRate, gain: 0.5, jitterMs: 0, maxBufferMs: 10_000 });
    mixer.addStream('music', { jitterMs: 0, maxBufferMs: 10_000 });
    const frames: Int16Array[] = [];
    mixer.registerOutput((f) => frames.push(f.data.slice()), { exclude: ['music'] });
    for (let i = 0; i < pcm.length; i += 441)
      mixer.pushAudio('caller', frame(pcm.subarray(i, i + 441), sampleRate));
    mixer.endStream('caller');
    const durationMs = (pcm.length / sampleRate) * 1000;
    mixer.pushAudio(
      'music',
      frame(tone(220, 48_000, ((durationMs + 200) * 48_000) / 1000, 6000 / 32_767), 48_000),
    );
    const n = Math.floor(durationMs / 20);
    const full = collect(mixer, n);

    // Reference: the same resampler on the same floats, gain 0.5, converted like the mixer does.
    const r = new Resampler({ inputRate: sampleRate, outputRate: 48_000 });
    const f = Float32Array.from(pcm, (v) => v / 32768);
    const ref = new Float32Array([...r.process(f), ...r.flush('float32')]);
    const minus = new Int16Array(frames.length * 960);
    for (const [i, fr] of frames.entries()) minus.set(fr, i * 960);
    let mismatches = 0;
    let speechEnergy = 0;
    for (let i = 0; i < minus.length; i++) {
      const expected = Math.max(-32768, Math.min(32767, Math.round(ref[i] * 0.5 * 32768)));
      if (minus[i] !== expected) mismatches++;
      speechEnergy += expected * expected;
    }
    expect(speechEnergy).toBeGreaterThan(0);
    expect(mismatches).toBe(0);
    // The full mix has the tone in it: the difference from mix-minus is the tone's level.
    const diff = new Int16Array(full.length);
    for (let i = 0; i < full.length; i++) diff[i] = full[i] - minus[i];
    expect(rms(diff) / (6000 / 32_768 / Math.SQRT2)).toBeCloseTo(1, 1);
  });

  it('an input that stops mid-stream does not stall the others; its silence is counted', () => {
    const mixer = new AudioMixer({ sampleRate: 16_000, frameMs: 20 });
    mixer.addStream('steady', { jitterMs: 0, maxBufferMs: 2000 });
    mixer.addStream('dropper', { jitterMs: 0 });
    const steady = tone(300, 16_000, 16_000, 8000 / 32_767);
    const dropper = tone(2000, 16_000, 3200, 8000 / 32_767);
    mixer.pushAudio('steady', frame(steady, 16_000));
    mixer.pushAudio('dropper', frame(dropper, 16_000));
    const out = collect(mixer, 50);
    // After the dropper's 200 ms, the output is exactly the steady input.
    let mismatches = 0;
    for (let i = 3200; i < out.length; i++) if (out[i] !== steady[i]) mismatches++;
    expect(mismatches).toBe(0);
    const stats = mixer.stats();
    const byId = Object.fromEntries(stats.inputs.map((s) => [s.id, s]));
    expect(byId.steady.underruns).toBe(0);
    expect(byId.dropper.underruns).toBe(40);
    expect(byId.dropper.state).toBe('priming');
    expect(stats.totals.underruns).toBe(40);
    expect(stats.frames).toBe(50);
  });

  it('mix-minus outputs leave out exactly the excluded inputs', () => {
    const mixer = new AudioMixer({ sampleRate: 8000, frameMs: 20 });
    const legs = {
      a: tone(200, 8000, 800, 5000 / 32_767),
      b: tone(350, 8000, 800, 5000 / 32_767),
      c: tone(900, 8000, 800, 5000 / 32_767),
    };
    for (const [id, pcm] of Object.entries(legs)) {
      mixer.addStream(id, { jitterMs: 0 });
      mixer.pushAudio(id, frame(pcm, 8000));
    }
    const got: Record<string, number[]> = { all: [], noA: [], noAB: [] };
    mixer.registerOutput((f) => got.all.push(...f.data));
    mixer.registerOutput((f) => got.noA.push(...f.data), { exclude: ['a'] });
    const off = mixer.registerOutput((f) => got.noAB.push(...f.data), { exclude: ['a', 'b'] });
    for (let i = 0; i < 5; i++) mixer.mixFrame();
    off();
    mixer.mixFrame();
    expect(got.noAB.length).toBe(800);
    for (let i = 0; i < 800; i++) {
      expect(got.all[i]).toBe(legs.a[i] + legs.b[i] + legs.c[i]);
      expect(got.noA[i]).toBe(legs.b[i] + legs.c[i]);
      expect(got.noAB[i]).toBe(legs.c[i]);
    }
  });
});

describe('AudioMixer.clearStream', () => {
  it('drops one input’s queued audio at once, leaving the other inputs and later audio intact', () => {
    const agent = tone(440, 16_000, 16_000, 9000 / 32_767);
    const caller = tone(1000, 16_000, 16_000, 7000 / 32_767);
    const mixer = new AudioMixer({ sampleRate: 16_000, frameMs: 20 });
    mixer.addStream('agent', { jitterMs: 0, maxBufferMs: 2000 });
    mixer.addStream('caller', { jitterMs: 0, maxBufferMs: 2000 });
    mixer.pushAudio('agent', frame(agent, 16_000));
    mixer.pushAudio('caller', frame(caller, 16_000));
    const before = collect(mixer, 10); // 200 ms of both
    for (let i = 0; i < before.length; i++) expect(before[i]).toBe(agent[i] + caller[i]);

    // Barge-in: the 800 ms of agent audio not yet played is gone.
    const droppedMs = mixer.clearStream('agent');
    expect(droppedMs).toBe(800);
    const after = collect(mixer, 10);
    for (let i = 0; i < after.length; i++) expect(after[i]).toBe(caller[before.length + i]);
    const stats = mixer.stats().inputs.find((s) => s.id === 'agent');
    expect(stats?.clearedMs).toBe(800);
    expect(stats?.bufferedMs).toBe(0);
    expect(stats?.underruns).toBe(0);

    // A new answer plays from its first sample.
    const next = tone(660, 16_000, 1600, 5000 / 32_767);
    mixer.pushAudio('agent', frame(next, 16_000));
    const resumed = collect(mixer, 5);
    for (let i = 0; i < resumed.length; i++)
      expect(resumed[i]).toBe(next[i] + caller[before.length + after.length + i]);
  });

  it('refuses an unknown stream with a typed error', () => {
    const mixer = new AudioMixer({ sampleRate: 16_000 });
    expect(() => mixer.clearStream('nope')).toThrow(/nope/);
  });
});
