import { describe, expect, it } from 'vitest';
import { AudioCapture, type AudioFrame, getDefaultDevice, listBackends, listDevices } from '../src/index.js';
import { rmsDb, toFloat, zeroCrossingHz } from './signal.js';

function collect(capture: AudioCapture, frames: number): Promise<AudioFrame[]> {
  return new Promise((resolve) => {
    const got: AudioFrame[] = [];
    let total = 0;
    const onData = (f: AudioFrame) => {
      got.push(f);
      total += f.frames;
      if (total >= frames) {
        capture.off('data', onData);
        resolve(got);
      }
    };
    capture.on('data', onData);
  });
}

function concat(frames: AudioFrame[]): Int16Array | Float32Array {
  const first = frames[0]?.data;
  const total = frames.reduce((n, f) => n + f.data.length, 0);
  const out = first instanceof Int16Array ? new Int16Array(total) : new Float32Array(total);
  let o = 0;
  for (const f of frames) {
    out.set(f.data as never, o);
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
  it('delivers a 1 kHz tone at -23 dBFS RMS through on("data"), in order, as s16 stereo', async () => {
    const capture = new AudioCapture({
      backend: 'null',
      deviceId: 'null:tone-1000',
      sampleRate: 16000,
      channels: 2,
      format: 's16',
    });
    capture.start();
    const frames = await collect(capture, 16000 / 2);
    capture.close();
    const all = concat(frames);
    expect(all).toBeInstanceOf(Int16Array);
    // positions are contiguous: nothing lost between batches
    let expected = 0;
    for (const f of frames) {
      expect(f.position).toBe(expected);
      expect(f.sampleRate).toBe(16000);
      expect(f.channels).toBe(2);
      expected += f.frames;
    }
    const left = toFloat(all, 2);
    expect(zeroCrossingHz(left, 16000)).toBeCloseTo(1000, 0);
    expect(rmsDb(left)).toBeGreaterThan(-23.5);
    expect(rmsDb(left)).toBeLessThan(-22.5);
    // both channels carry the same samples
    for (let i = 0; i < 100; i++) expect(all[2 * i]).toBe(all[2 * i + 1]);
    const stats = capture.stats();
    expect(stats.state).toBe('closed');
    expect(stats.periods).toBeGreaterThan(40);
    expect(stats.xruns).toBe(0);
  });

  it('delivers f32 through async iteration, ending after stop()', async () => {
    const capture = new AudioCapture({ backend: 'null', deviceId: 'null:tone-440', format: 'f32' });
    capture.start();
    const chunks: Float32Array[] = [];
    let total = 0;
    for await (const frame of capture) {
      expect(frame.data).toBeInstanceOf(Float32Array);
      chunks.push(frame.data as Float32Array);
      total += frame.frames;
      if (total >= 24000 && capture.state === 'running') capture.stop();
    }
    capture.close();
    const all = new Float32Array(total);
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    expect(zeroCrossingHz(all, 48000)).toBeCloseTo(440, 0);
    expect(Math.max(...all.subarray(0, 4800))).toBeCloseTo(0.1, 2);
  });

  it('read() returns what is buffered after a readable event, and silence from the default device', async () => {
    const capture = new AudioCapture({ backend: 'null', sampleRate: 8000 });
    capture.start();
    await new Promise((resolve) => capture.once('readable', resolve));
    const first = capture.read(10);
    expect(first.length).toBeLessThanOrEqual(10);
    await new Promise((r) => setTimeout(r, 50));
    const rest = capture.read();
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((v) => v === 0)).toBe(true);
    capture.close();
    expect(capture.stats().deviceId).toBe('null:silence');
  });

  it('counts overruns instead of blocking when JS does not read', async () => {
    const capture = new AudioCapture({ backend: 'null', bufferMs: 20, periodMs: 10 });
    capture.start();
    await new Promise((r) => setTimeout(r, 200));
    const stats = capture.stats();
    capture.close();
    expect(stats.overruns).toBeGreaterThan(0);
    expect(stats.droppedFrames).toBeGreaterThan(0);
    expect(stats.xruns).toBeGreaterThan(0);
    expect(stats.bufferedFrames).toBeLessThanOrEqual(stats.periodFrames * 4);
  });

  it('coalesces wake-ups: one callback covers every period produced while JS was busy', async () => {
    const capture = new AudioCapture({ backend: 'null', periodMs: 2 }); // 96 frames per period
    let largest = 0;
    capture.on('data', (f: AudioFrame) => {
      largest = Math.max(largest, f.frames);
    });
    capture.start();
    await new Promise((r) => setTimeout(r, 30));
    // Block the JS thread for 100 ms: ~50 periods arrive meanwhile, and must come as one batch.
    const until = Date.now() + 100;
    while (Date.now() < until) {
      /* busy */
    }
    await new Promise((r) => setTimeout(r, 10));
    capture.close();
    expect(largest).toBeGreaterThanOrEqual(96 * 40);
  });
});
