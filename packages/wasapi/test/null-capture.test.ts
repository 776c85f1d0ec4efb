import type { AudioFrame } from '@voxwire/codecs';
import { dbfs, estimatePitchHz, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioCapture, getDefaultDevice, listBackends, listDevices } from '../src/index.js';
import { toFloat } from './signal.js';

function collect(capture: AudioCapture, frames: number): Promise<AudioFrame[]> {
  return new Promise((resolve) => {
    const got: AudioFrame[] = [];
    let total = 0;
    const onData = (f: AudioFrame) => {
      got.push(f);
      total += f.data.length / f.channels;
      if (total >= frames) {
        capture.off('audio', onData);
        resolve(got);
      }
    };
    capture.on('audio', onData);
  });
}

function concat(frames: AudioFrame[]): Int16Array {
  const total = frames.reduce((n, f) => n + f.data.length, 0);
  const out = new Int16Array(total);
  let o = 0;
  for (const f of frames) {
    out.set(f.data, o);
    o += f.data.length;
  }
  return out;
}

describe('null backend: devices', () => {
  it('lists its virtual devices and defaults', () => {
    expect(listBackends().find((b) => b.name === 'null')?.available).toBe(true);
    const devices = listDevices({ backend: 'null' });
    expect(devices.map((d) => d.id)).toEqual([
      'null:silence',
      'null:tone-440',
      'null:tone-1000',
      'null:output',
    ]);
    expect(getDefaultDevice('input', { backend: 'null' })?.id).toBe('null:silence');
    expect(getDefaultDevice('output', { backend: 'null' })?.id).toBe('null:output');
  });
});

describe('null backend: capture', () => {
  it('delivers a 1 kHz tone at -23 dBFS RMS through on("audio"), in order, as s16 stereo', async () => {
    const capture = new AudioCapture({
      backend: 'null',
      deviceId: 'null:tone-1000',
      sampleRate: 16000,
      channels: 2,
      format: 's16',
    });
    capture.start();
    const frames = await collect(capture, 16000 / 2);
    await capture.close();
    const all = concat(frames);
    expect(all).toBeInstanceOf(Int16Array);
    // positions are contiguous: nothing lost between batches
    let expected = 0;
    for (const f of frames) {
      expect(f.position).toBe(expected);
      expect(f.sampleRate).toBe(16000);
      expect(f.channels).toBe(2);
      expected += f.data.length / f.channels;
    }
    const left = toFloat(all, 2);
    expect(estimatePitchHz(left, 16000)).toBeCloseTo(1000, 0);
    expect(dbfs(left)).toBeGreaterThan(-23.5);
    expect(dbfs(left)).toBeLessThan(-22.5);
    // both channels carry the same samples
    for (let i = 0; i < 100; i++) expect(all[2 * i]).toBe(all[2 * i + 1]);
    const stats = capture.stats();
    expect(stats.state).toBe('closed');
    expect(stats.periods).toBeGreaterThan(40);
    expect(stats.xruns).toBe(0);
  });

  it('delivers an f32 stream through async iteration as Int16 frames, ending after stop()', async () => {
    const capture = new AudioCapture({ backend: 'null', deviceId: 'null:tone-440', format: 'f32' });
    capture.start();
    const chunks: Int16Array[] = [];
    let total = 0;
    for await (const frame of capture) {
      expect(frame.data).toBeInstanceOf(Int16Array); // one frame type: the floats are converted
      expect(frame.position).toBe(total);
      chunks.push(frame.data);
      total += frame.data.length;
      if (total >= 24000 && capture.state === 'running') capture.stop();
    }
    await capture.close();
    const all = toFloat(
      concat(chunks.map((data) => ({ data, sampleRate: 48000, channels: 1, position: 0 }))),
    );
    expect(estimatePitchHz(all, 48000)).toBeCloseTo(440, 0);
    expect(Math.max(...all.subarray(0, 4800))).toBeCloseTo(0.1, 2);
  });

  it("gives an f32 stream's raw floats through readInto()", async () => {
    const capture = new AudioCapture({ backend: 'null', deviceId: 'null:tone-440', format: 'f32' });
    capture.start();
    await waitUntil(() => capture.framesAvailable >= 4800, 'the ring holds 100 ms');
    const floats = new Float32Array(4800);
    expect(capture.readInto(floats)).toBe(4800);
    await capture.close();
    expect(estimatePitchHz(floats, 48000)).toBeCloseTo(440, 0);
    expect(Math.max(...floats)).toBeCloseTo(0.1, 2);
  });

  it('read() returns what is buffered after a readable event, and silence from the default device', async () => {
    const capture = new AudioCapture({ backend: 'null', sampleRate: 8000 });
    capture.start();
    await new Promise<void>((resolve) => capture.once('readable', resolve));
    const first = capture.read(10);
    expect(first.data.length).toBeLessThanOrEqual(10);
    expect(first.position).toBe(0);
    await waitUntil(() => capture.framesAvailable > 0, 'more audio is buffered');
    const rest = capture.read();
    expect(rest.data.length).toBeGreaterThan(0);
    expect(rest.position).toBe(first.data.length);
    expect(rest.sampleRate).toBe(8000);
    expect(rest.data.every((v) => v === 0)).toBe(true);
    await capture.close();
    expect(capture.stats().deviceId).toBe('null:silence');
  });

  it('counts overruns instead of blocking when JS does not read', async () => {
    const capture = new AudioCapture({ backend: 'null', bufferMs: 20, periodMs: 10 });
    capture.start();
    await waitUntil(() => capture.stats().droppedFrames > 0, 'the unread ring drops a period');
    const stats = capture.stats();
    await capture.close();
    expect(stats.overruns).toBeGreaterThan(0);
    expect(stats.droppedFrames).toBeGreaterThan(0);
    expect(stats.xruns).toBeGreaterThan(0);
    expect(stats.bufferedFrames).toBeLessThanOrEqual(stats.periodFrames * 4);
  });

  it('coalesces wake-ups: one callback covers every period produced while JS was busy', async () => {
    const capture = new AudioCapture({ backend: 'null', periodMs: 2 }); // 96 frames per period
    let largest = 0;
    let batches = 0;
    capture.on('audio', (f: AudioFrame) => {
      largest = Math.max(largest, f.data.length);
      batches++;
    });
    capture.start();
    await waitUntil(() => batches > 0, 'the first batch arrived');
    const before = batches;
    // Block the JS thread for 100 ms: ~50 periods arrive meanwhile, and must come as one batch.
    const until = Date.now() + 100;
    while (Date.now() < until) {
      /* busy */
    }
    await waitUntil(() => batches > before, 'the batch from the busy time arrived');
    await capture.close();
    expect(largest).toBeGreaterThanOrEqual(96 * 40);
  });
});
