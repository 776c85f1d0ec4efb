// Errors as the design documents them (initialize without a device, startRecording before initialize or
// twice → RuntimeError), bad configuration, a throwing callback, and the null backend used elsewhere.
import { VoxwireError } from '@voxwire/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioCaptureError,
  AudioCaptureManager,
  createAudioCapture,
  listAudioDevices,
  NoDeviceError,
  RuntimeError,
} from '../src/index.js';
import { startTestPulse, type TestPulse } from './pulse.js';
import { Recorder } from './recorder.js';
import { until } from './speech.js';

let pulse: TestPulse;
const managers: AudioCaptureManager[] = [];
beforeAll(async () => {
  pulse = await startTestPulse('err_sink');
});
afterAll(async () => {
  for (const m of managers) m.dispose();
  await pulse?.stop();
});

describe('errors', () => {
  it('startRecording before initialize, twice, or after dispose is a RuntimeError', () => {
    const m = new AudioCaptureManager();
    managers.push(m);
    expect(() => m.startRecording()).toThrow(RuntimeError);
    expect(() => m.startRecording()).toThrow(VoxwireError);
    expect(() => m.startRecording()).toThrow(expect.objectContaining({ code: 'NOT_INITIALIZED' }));
    m.initialize();
    m.initialize(); // idempotent
    m.startRecording();
    expect(() => m.startRecording()).toThrow(expect.objectContaining({ code: 'ALREADY_RECORDING' }));
    expect(m.getState()).toBe('recording');
    m.dispose();
    expect(() => m.initialize()).toThrow(expect.objectContaining({ name: 'RuntimeError', code: 'DISPOSED' }));
  });

  it('initialize fails with NoDeviceError for a missing index or id and without an audio server', () => {
    const n = listAudioDevices().length;
    expect(() => new AudioCaptureManager({ deviceIndex: n }).initialize()).toThrow(NoDeviceError);
    expect(() => new AudioCaptureManager({ deviceId: 'no_such_source' }).initialize()).toThrow(
      /no input device "no_such_source" \(inputs: \[0\] err_sink\.monitor\)/,
    );
    const saved = process.env.PULSE_SERVER;
    process.env.PULSE_SERVER = 'unix:/nonexistent/nevil/native';
    try {
      expect(() => createAudioCapture({ backend: 'pulse' })).toThrow(NoDeviceError);
    } finally {
      process.env.PULSE_SERVER = saved;
    }
  });

  it('rejects bad configuration with INVALID_CONFIG', () => {
    for (const bad of [
      { sampleRate: 0 },
      { channelCount: 3 },
      { chunkSize: 0 },
      { vadThreshold: 1.5 },
      { deviceIndex: -1 },
      { autoFlushMs: -1 },
    ]) {
      expect(() => new AudioCaptureManager(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    }
    expect(() => new AudioCaptureManager({ sampleRate: 16000 }, {}, { sendEvent: () => {} })).toThrow(
      AudioCaptureError,
    );
    expect(() => new AudioCaptureManager({ sampleRate: 0 })).toThrow(VoxwireError);
  });

  it('reports a throwing callback through onError and keeps capturing', { timeout: 30_000 }, async () => {
    const rec = new Recorder();
    let thrown = 0;
    const m = createAudioCapture({
      callbacks: rec.callbacks({
        onAudioData: () => {
          thrown++;
          throw new Error('boom');
        },
      }),
    });
    managers.push(m);
    m.startRecording();
    await until(() => rec.chunks.length >= 3, 'three chunks');
    m.stopRecording();
    expect(rec.errors.length).toBe(thrown);
    expect(rec.errors[0]).toMatchObject({
      code: 'CALLBACK',
      message: expect.stringMatching(/onAudioData threw: Error: boom/),
    });
  });

  it('works on the null backend (machines without a sound server): a 440 Hz tone in 200 ms chunks', {
    timeout: 30_000,
  }, async () => {
    const inputs = listAudioDevices({ backend: 'null' });
    const tone = inputs.find((d) => d.id === 'null:tone-440');
    expect(tone).toBeDefined();
    const rec = new Recorder();
    const m = createAudioCapture({ backend: 'null', deviceIndex: tone?.index, callbacks: rec.callbacks() });
    managers.push(m);
    m.startRecording();
    await until(() => rec.chunks.length >= 3, 'three chunks');
    m.stopRecording();
    for (const c of rec.chunks.slice(0, -1)) {
      expect(c.pcm.length).toBe(4800);
      expect(c.volume).toBeCloseTo(0.1 / Math.SQRT2, 3); // peak -20 dBFS = RMS -23 dBFS
    }
  });

  it('initialize fails with NoDeviceError when the server has no input at all', () => {
    pulse.pactl('unload-module', 'module-null-sink');
    expect(listAudioDevices()).toEqual([]);
    expect(() => createAudioCapture()).toThrow(/has no input device/);
  });
});
