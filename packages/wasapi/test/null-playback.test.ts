import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tone, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioCapture, AudioPlayback } from '../src/index.js';
import { pcm } from './expect-audio.js';

describe('null backend: playback', () => {
  it('applies backpressure: write() returns the frames accepted, drain fires, everything is played', async () => {
    const playback = new AudioPlayback({ backend: 'null', sampleRate: 16000, bufferMs: 40 });
    const played = tone(440, 16000, 8000, 0.5); // 0.5 s
    const from = (offset: number) => pcm(played.subarray(offset), 16000);
    let offset = 0;
    const first = playback.write(from(0));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(played.length); // the 40 ms ring cannot take 0.5 s
    expect(playback.framesWritable).toBe(0);
    offset += first;
    playback.start();
    let drains = 0;
    while (offset < played.length) {
      await new Promise<void>((resolve) => playback.once('drain', resolve));
      drains++;
      offset += playback.write(from(offset));
    }
    await playback.drained();
    const stats = playback.stats();
    await playback.close();
    expect(drains).toBeGreaterThan(5);
    expect(stats.bufferedFrames).toBe(0);
    // every accepted frame went to the device before the first silence was counted
    expect(stats.position - stats.silenceFrames).toBe(8000);
  });

  it('plays silence and counts an underrun when the writer falls behind', async () => {
    // No clock: each step waits until the device has visibly moved on (played more silence), and the
    // assertions hold however fast or slow the periods came.
    const playback = new AudioPlayback({ backend: 'null', sampleRate: 48000, format: 'f32' });
    const period = playback.periodFrames;
    const silence = () => playback.stats().silenceFrames;
    const idlePeriods = async (n: number, what: string) => {
      const from = silence();
      await waitUntil(() => silence() >= from + n * period, what);
    };
    playback.start();
    expect(playback.write(pcm(tone(440, 48000, 960, 0.1), 48000))).toBe(960);
    await playback.drained();
    await waitUntil(() => playback.stats().underruns >= 1, 'the ring ran dry');
    const s1 = playback.stats();
    expect(s1.underruns).toBe(1);
    expect(s1.silenceFrames).toBeGreaterThan(0);
    // idle periods after the underrun are not counted again
    await idlePeriods(5, 'five more idle periods played');
    expect(playback.stats().underruns).toBe(1);
    expect(playback.write(pcm(tone(440, 48000, 480, 0.1), 48000))).toBe(480);
    await playback.drained();
    await waitUntil(() => playback.stats().underruns >= 2, 'the ring ran dry again');
    await idlePeriods(5, 'five idle periods after the second burst');
    expect(playback.stats().underruns).toBe(2);
    // every written frame was played: what the device moved is the audio plus the silence
    const s2 = playback.stats();
    expect(s2.position - s2.silenceFrames).toBe(960 + 480);
    await playback.close();
  });

  it('accepts PCM bytes through writable(), including unaligned Buffer slices', async () => {
    const playback = new AudioPlayback({ backend: 'null', channels: 2 });
    const bytes = Buffer.alloc(4 * 100 + 1);
    const writable = playback.writable();
    await new Promise<void>((resolve, reject) =>
      writable.write(bytes.subarray(1), (err) => (err ? reject(err) : resolve())),
    );
    expect(playback.bufferedFrames).toBe(100);
    await playback.close();
  });

  it('has Node stream adapters: a Readable of capture bytes piped into a playback Writable', async () => {
    const capture = new AudioCapture({ backend: 'null', deviceId: 'null:tone-440', sampleRate: 8000 });
    const playback = new AudioPlayback({ backend: 'null', sampleRate: 8000 });
    playback.start();
    capture.start();
    const source = capture.readable();
    let bytes = 0;
    const limited = Readable.from(
      (async function* () {
        for await (const chunk of source) {
          bytes += (chunk as Buffer).length;
          yield chunk;
          if (bytes >= 8000 * 2 * 0.3) break;
        }
      })(),
    );
    await pipeline(limited, playback.writable());
    await capture.close();
    const stats = playback.stats();
    await playback.close();
    expect(bytes).toBeGreaterThanOrEqual(4800);
    expect(stats.bufferedFrames).toBe(0);
    expect(stats.position - stats.silenceFrames).toBeGreaterThanOrEqual(bytes / 2 - 1);
  });
});

describe('null backend: playback clear (barge-in)', () => {
  it('drops what was queued at the next period and keeps what is written after the call', async () => {
    const rate = 16000;
    const playback = new AudioPlayback({ backend: 'null', sampleRate: rate, bufferMs: 3000 });
    const answer = tone(440, rate, 2 * rate, 0.5); // 2 s queued
    expect(playback.write(pcm(answer, rate))).toBe(2 * rate);
    playback.start();
    await waitUntil(() => playback.stats().position >= rate / 5, '200 ms of the answer played');

    const queued = playback.clear();
    const next = tone(660, rate, rate / 10, 0.5); // 100 ms written right after the clear
    expect(playback.write(pcm(next, rate))).toBe(rate / 10);
    expect(queued).toBeGreaterThan(rate); // over a second of the answer was still waiting
    await playback.drained();
    const s = playback.stats();
    await playback.close();
    const played = s.position - s.silenceFrames;
    // Every frame is accounted for: played or cleared, and the 100 ms written after clear() was played.
    expect(played + s.clearedFrames).toBe(2 * rate + rate / 10);
    expect(s.clearedFrames).toBeGreaterThan(rate);
    expect(s.clearedFrames).toBeLessThanOrEqual(queued);
    expect(played).toBeGreaterThanOrEqual(rate / 5 + rate / 10);
  });

  it('clears at once while stopped, counts it, and refuses after close', async () => {
    const playback = new AudioPlayback({ backend: 'null', sampleRate: 16000 });
    playback.write(pcm(new Int16Array(800), 16000));
    expect(playback.clear()).toBe(800);
    expect(playback.bufferedFrames).toBe(0);
    expect(playback.stats().clearedFrames).toBe(800);
    await playback.close();
    expect(() => playback.clear()).toThrow(/after close/);
  });
});
