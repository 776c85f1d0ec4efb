// The ALSA backend (libasound loaded at run time) through the ALSA "pulse" plugin (Debian
// libasound2-plugins) into the test's private PulseAudio null sink: a 1 kHz tone written with ALSA
// playback is read back with ALSA capture (the default source is the sink's monitor).

import type { AudioFrame } from '@voxwire/codecs';
import { type PulseServer, startPulse, tone } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioCapture, AudioPlayback, listBackends, listDevices } from '../src/index.js';
import { coded, pcm } from './expect-audio.js';
import { medianBlockRmsDb, medianCrossingHz, onset, toFloat } from './signal.js';

let pulse: PulseServer;
beforeAll(async () => {
  pulse = await startPulse('vx_alsa');
});
afterAll(async () => {
  await pulse?.stop();
});

describe('alsa backend (via the ALSA pulse plugin)', () => {
  it('is available and lists the pulse and default PCMs', () => {
    expect(listBackends().find((b) => b.name === 'alsa')).toEqual({ name: 'alsa', available: true });
    const devices = listDevices({ backend: 'alsa' });
    expect(devices.some((d) => d.id === 'pulse' && d.kind === 'output')).toBe(true);
    expect(devices.some((d) => d.id === 'pulse' && d.kind === 'input')).toBe(true);
  });

  it('plays a 1 kHz tone and records it back at the right pitch and level, buffer ≥ 2 periods', async () => {
    const rate = 48000;
    const capture = new AudioCapture({ backend: 'alsa', deviceId: 'pulse', sampleRate: rate });
    const playback = new AudioPlayback({
      backend: 'alsa',
      deviceId: 'pulse',
      sampleRate: rate,
      bufferMs: 200,
    });
    try {
      for (const s of [capture, playback]) {
        const m = /period (\d+) frames, buffer (\d+) frames/.exec(s.stats().route);
        expect(m).not.toBeNull();
        expect(Number(m?.[2])).toBeGreaterThanOrEqual(2 * Number(m?.[1]));
      }
      const recording = new Int16Array(rate * 2);
      let filled = 0;
      const full = new Promise<void>((resolve) => {
        capture.on('audio', (f: AudioFrame) => {
          const n = Math.min(f.data.length, recording.length - filled);
          recording.set(f.data.subarray(0, n), filled);
          filled += n;
          if (filled >= recording.length) resolve();
        });
      });
      capture.start();
      playback.start();
      const played = tone(1000, rate, rate, 0.5);
      let offset = playback.write(pcm(played, playback.sampleRate, playback.channels));
      while (offset < played.length) {
        await new Promise<void>((r) => playback.once('drain', r));
        offset += playback.write(pcm(played.subarray(offset), playback.sampleRate, playback.channels));
      }
      await full;
      const x = toFloat(recording);
      const start = onset(x, 0.1);
      expect(start).toBeGreaterThanOrEqual(0);
      const steady = x.subarray(start + 4800, start + 4800 + 24000);
      expect(steady.length).toBe(24000);
      expect(medianCrossingHz(steady, rate)).toBeGreaterThan(995);
      expect(medianCrossingHz(steady, rate)).toBeLessThan(1005);
      expect(medianBlockRmsDb(steady, 480)).toBeGreaterThan(-10); // written at -9 dBFS
      expect(medianBlockRmsDb(steady, 480)).toBeLessThan(-8);
      console.info(
        `alsa: ${playback.stats().route}; xruns capture ${capture.stats().xruns}, playback ${playback.stats().xruns}`,
      );
    } finally {
      await capture.close();
      await playback.close();
    }
  }, 60_000);

  it('rejects an unknown PCM, exclusive mode and loopback with typed errors', () => {
    expect(() => new AudioPlayback({ backend: 'alsa', deviceId: 'voxwire_no_such_pcm' })).toThrow(
      coded('UNKNOWN_DEVICE'),
    );
    expect(() => new AudioCapture({ backend: 'alsa', mode: 'exclusive' })).toThrow(
      coded('UNSUPPORTED_FORMAT'),
    );
    expect(() => new AudioCapture({ backend: 'alsa', loopback: true })).toThrow(coded('UNSUPPORTED_FORMAT'));
  });
});
