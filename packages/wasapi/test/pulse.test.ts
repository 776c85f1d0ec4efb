// The PulseAudio backend against a private pulseaudio with null sinks as sound cards (startPulse of
// @voxwire/test-support): a 1 kHz tone played to the sink and captured from its monitor, a click's round
// trip, device-change events, and failures (unknown device, missing server, server dying).

import type { AudioFrame } from '@voxwire/codecs';
import { dbfs, estimatePitchHz, type PulseServer, startPulse, tone } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceChangeEvent } from '../src/index.js';
import {
  AudioCapture,
  AudioDeviceError,
  AudioPlayback,
  DeviceWatcher,
  getDefaultDevice,
  listBackends,
  listDevices,
} from '../src/index.js';
import { coded, pcm } from './expect-audio.js';
import { bestLag, onset, toFloat } from './signal.js';

let pulse: PulseServer;

beforeAll(async () => {
  pulse = await startPulse('vx_a');
});
afterAll(async () => {
  await pulse?.stop();
});

/** Resolves once the capture stream delivers audio (a fresh null sink takes ~1 s to start running). */
function flowing(capture: AudioCapture): Promise<void> {
  return new Promise((resolve) => capture.once('audio', () => resolve()));
}

/** Resolves once `test()` holds (polled; the test's timeout bounds it). */
async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 20));
}

/** Captures until `frames` frames have arrived after `start` is called. */
function record(capture: AudioCapture, frames: number): Promise<Int16Array> {
  const out = new Int16Array(frames * capture.channels);
  let filled = 0;
  return new Promise((resolve) => {
    const onData = (f: AudioFrame) => {
      const n = Math.min(f.data.length, out.length - filled);
      out.set(f.data.subarray(0, n), filled);
      filled += n;
      if (filled >= out.length) {
        capture.off('audio', onData);
        resolve(out);
      }
    };
    capture.on('audio', onData);
  });
}

describe('pulse backend', () => {
  it('is available and lists the null sink and its monitor as defaults', () => {
    expect(listBackends().find((b) => b.name === 'pulse')).toEqual({ name: 'pulse', available: true });
    const devices = listDevices({ backend: 'pulse' });
    const sink = devices.find((d) => d.id === 'vx_a');
    expect(sink).toMatchObject({ kind: 'output', isDefault: true, sampleRate: 48000, channels: 2 });
    expect(devices.find((d) => d.id === 'vx_a.monitor')).toMatchObject({ kind: 'input', isMonitor: true });
    expect(getDefaultDevice('output', { backend: 'pulse' })?.id).toBe('vx_a');
  });

  it('plays a 1 kHz sine to the sink and captures it from the monitor at the right pitch and level', async () => {
    const rate = 48000;
    const capture = new AudioCapture({ backend: 'pulse', loopback: true, sampleRate: rate, format: 's16' });
    const playback = new AudioPlayback({
      backend: 'pulse',
      deviceId: 'vx_a',
      sampleRate: rate,
      bufferMs: 200,
    });
    expect(capture.deviceId).toBe('vx_a.monitor');
    const played = tone(1000, rate, rate, 0.5); // 1 s at -9 dBFS RMS
    capture.start();
    await flowing(capture);
    playback.start();
    const recording = record(capture, rate * 1.5);
    let offset = playback.write(pcm(played, playback.sampleRate, playback.channels));
    while (offset < played.length) {
      await new Promise<void>((r) => playback.once('drain', r));
      offset += playback.write(pcm(played.subarray(offset), playback.sampleRate, playback.channels));
    }
    const captured = toFloat(await recording);
    await playback.drained();
    const pStats = playback.stats();
    const cStats = capture.stats();
    capture.close();
    playback.close();
    // Analyse 300 ms from 100 ms after the tone's onset.
    let start = 0;
    while (start < captured.length && Math.abs(captured[start] as number) < 0.05) start++;
    const segment = captured.subarray(start + 4800, start + 4800 + 14400);
    expect(segment.length).toBe(14400);
    expect(estimatePitchHz(segment, rate)).toBeCloseTo(1000, 0);
    expect(dbfs(segment)).toBeGreaterThan(-10);
    expect(dbfs(segment)).toBeLessThan(-8);
    expect(cStats.periods).toBeGreaterThan(10);
    console.log(
      `pulse: capture latency ${cStats.latencyMs.toFixed(1)} ms, playback ${pStats.latencyMs.toFixed(1)} ms, delivery p50 ${cStats.delivery.p50Us?.toFixed(0)} µs p99 ${cStats.delivery.p99Us?.toFixed(0)} µs`,
    );
  });

  it('measures the round-trip latency of a click by cross-correlation (reported, not asserted)', async () => {
    const rate = 48000;
    const capture = new AudioCapture({ backend: 'pulse', deviceId: 'vx_a.monitor', sampleRate: rate });
    const playback = new AudioPlayback({ backend: 'pulse', deviceId: 'vx_a', sampleRate: rate });
    const click = tone(4000, rate, 96, 0.8); // 2 ms burst
    const template = toFloat(click);
    const captured: Int16Array[] = [];
    let capturedFrames = 0;
    capture.on('audio', (f: AudioFrame) => {
      captured.push(f.data);
      capturedFrames += f.data.length / f.channels;
    });
    capture.start();
    playback.start();
    await flowing(capture);
    const settled = capturedFrames + rate / 5;
    await until(() => capturedFrames >= settled); // both streams settled: 200 ms more captured
    const writtenAt = capturedFrames; // capture position when the click is handed over
    expect(playback.write(pcm(click, playback.sampleRate, playback.channels))).toBe(96);
    await until(() => capturedFrames >= writtenAt + rate / 2); // 500 ms captured after the click
    await capture.close();
    await playback.close();
    const all = new Int16Array(capturedFrames);
    let o = 0;
    for (const c of captured) {
      all.set(c, o);
      o += c.length;
    }
    const signal = toFloat(all.subarray(writtenAt));
    const lag = bestLag(signal, template);
    const peak = Math.max(...signal.subarray(lag, lag + 96).map(Math.abs));
    expect(peak).toBeGreaterThan(0.5); // the click came back
    console.log(
      `pulse: click round trip ${((lag * 1000) / rate).toFixed(1)} ms (write → sink → monitor → JS)`,
    );
  });

  it('emits devicechange when a second sink is loaded and made default', async () => {
    const events: DeviceChangeEvent[] = [];
    const listener = (e: DeviceChangeEvent) => events.push(e);
    await using watcher = new DeviceWatcher({ backend: 'pulse' });
    expect(watcher.backend).toBe('pulse');
    watcher.on('devicechange', listener);
    const changed = new Promise<DeviceChangeEvent>((resolve) => {
      const check = (e: DeviceChangeEvent) => {
        if (e.defaultOutput?.id === 'vx_b') {
          watcher.off('devicechange', check);
          resolve(e);
        }
      };
      watcher.on('devicechange', check);
    });
    pulse.pactl('load-module', 'module-null-sink', 'sink_name=vx_b');
    pulse.pactl('set-default-sink', 'vx_b');
    const e = await changed;
    await watcher.close();
    expect(e.backend).toBe('pulse');
    expect(e.devices.some((d) => d.id === 'vx_b.monitor' && d.isMonitor)).toBe(true);
    expect(events.some((x) => x.devices.some((d) => d.id === 'vx_b'))).toBe(true);
    expect(getDefaultDevice('output', { backend: 'pulse' })?.id).toBe('vx_b');
    pulse.pactl('set-default-sink', 'vx_a');
  });

  it('moves streams opened on the default device to the new default (the server moves them)', async () => {
    pulse.pactl('set-default-sink', 'vx_a');
    pulse.pactl('set-default-source', 'vx_a.monitor');
    const playback = new AudioPlayback({ backend: 'pulse', sampleRate: 48000, bufferMs: 300 });
    const streams: (AudioCapture | AudioPlayback)[] = [playback];
    try {
      expect(playback.deviceId).toBe('vx_a');
      playback.start();
      await until(() => playback.stats().deviceLatencyMs > 0);
      const latencyBefore = playback.stats().deviceLatencyMs;
      pulse.pactl('load-module', 'module-null-sink', 'sink_name=vx_c', 'rate=48000', 'channels=2');
      pulse.pactl('set-default-sink', 'vx_c');
      await until(() => playback.deviceId === 'vx_c');
      expect(playback.stats().deviceId).toBe('vx_c');
      // The audio follows: a tone written to the default-device stream arrives at the new sink's monitor.
      const monitor = new AudioCapture({ backend: 'pulse', deviceId: 'vx_c.monitor', sampleRate: 48000 });
      streams.push(monitor);
      monitor.start();
      await flowing(monitor);
      const recording = record(monitor, 5 * 48000);
      const played = tone(1000, 48000, 48000, 0.5);
      let offset = playback.write(pcm(played, playback.sampleRate, playback.channels));
      while (offset < played.length) {
        await new Promise<void>((r) => playback.once('drain', r));
        offset += playback.write(pcm(played.subarray(offset), playback.sampleRate, playback.channels));
      }
      const heard = toFloat(await recording);
      // Reported, not asserted: after the move the tone has reached the new sink up to ~2 s late here
      // (the freshly loaded null sink starting up), so the recording is long and measured from the onset.
      const at = onset(heard, 0.1);
      console.info(
        `pulse: after the move the tone reached the new sink ${((at * 1000) / 48000).toFixed(0)} ms into the recording; playback device latency then ${playback.stats().deviceLatencyMs.toFixed(1)} ms, before the move ${latencyBefore.toFixed(1)} ms`,
      );
      expect(at).toBeGreaterThanOrEqual(0);
      expect(dbfs(heard.subarray(at + 2400, at + 2400 + 19200))).toBeGreaterThan(-10); // written at -9 dBFS
      // A capture on the default source follows too.
      const capture = new AudioCapture({ backend: 'pulse', sampleRate: 48000 });
      streams.push(capture);
      expect(capture.deviceId).toBe('vx_a.monitor');
      capture.start();
      pulse.pactl('set-default-source', 'vx_c.monitor');
      await until(() => capture.deviceId === 'vx_c.monitor');
      // and keeps delivering once the new source runs (a fresh null sink takes ~1-2 s to start)
      const before = capture.stats().position;
      await until(() => capture.stats().position > before + 4800);
    } finally {
      for (const s of streams) await s.close();
      pulse.pactl('set-default-sink', 'vx_a');
      pulse.pactl('set-default-source', 'vx_a.monitor');
    }
  }, 60_000);

  it('rejects an unknown device, exclusive mode and a missing server with typed errors', () => {
    expect(() => new AudioPlayback({ backend: 'pulse', deviceId: 'no_such_sink' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
    expect(() => new AudioCapture({ backend: 'pulse', deviceId: 'no_such_source' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
    expect(() => new AudioCapture({ backend: 'pulse', mode: 'exclusive' })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
    const saved = process.env.PULSE_SERVER;
    process.env.PULSE_SERVER = 'unix:/nonexistent/voxwire/native';
    try {
      expect(() => new AudioCapture({ backend: 'pulse' })).toThrow(coded('BACKEND_UNAVAILABLE'));
      expect(() => listDevices({ backend: 'pulse' })).toThrow(/no PulseAudio server at unix:\/nonexistent/);
      expect(listBackends().find((b) => b.name === 'pulse')?.available).toBe(false);
    } finally {
      process.env.PULSE_SERVER = saved;
    }
  });

  it('reports a DEVICE_ERROR when the server goes away under a running stream', async () => {
    const capture = new AudioCapture({ backend: 'pulse', deviceId: 'vx_a.monitor' });
    capture.start();
    await new Promise<void>((r) => capture.once('audio', () => r()));
    const error = new Promise<AudioDeviceError>((resolve) => capture.once('error', resolve));
    await pulse.stop();
    const err = await error;
    expect(err).toBeInstanceOf(AudioDeviceError);
    expect(err.code).toBe('DEVICE_ERROR');
    expect(err.message).toMatch(/PulseAudio stream failed/);
    await capture.close();
  });
});
