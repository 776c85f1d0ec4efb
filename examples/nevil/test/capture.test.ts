// AudioCaptureManager against a PulseAudio null sink fed with espeak-ng speech: chunk format, VAD gating,
// pause/resume/flush/stop/dispose, auto-flush, stats, and control calls made while audio flows.
import { SileroVad } from '@voxwire/vad';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioCaptureManager, listAudioDevices } from '../src/index.js';
import { startTestPulse, type TestPulse } from './pulse.js';
import { Recorder } from './recorder.js';
import { makeSpeech, rms, type SpeechFile, until } from './speech.js';

let pulse: TestPulse;
let speech: SpeechFile;
const managers: AudioCaptureManager[] = [];

beforeAll(async () => {
  pulse = await startTestPulse();
  speech = makeSpeech('Nevil, please turn left, then drive forward slowly and stop at the red door.');
});
afterAll(async () => {
  for (const m of managers) m.dispose();
  await pulse?.stop();
});

function manager(...args: ConstructorParameters<typeof AudioCaptureManager>): AudioCaptureManager {
  const m = new AudioCaptureManager(...args);
  managers.push(m);
  return m;
}

describe('AudioCaptureManager on PulseAudio', () => {
  it('records the null sink monitor, the default input, listed with an index', () => {
    const inputs = listAudioDevices();
    const monitor = inputs.find((d) => d.id === `${pulse.sink}.monitor`);
    expect(monitor).toMatchObject({ isMonitor: true, isDefault: true, backend: 'pulse' });
    expect(inputs[monitor?.index ?? -1]).toBe(monitor);
  });

  it('hands out 200 ms chunks of 24 kHz base64 PCM16 with volumes in 0..1', { timeout: 60_000 }, async () => {
    const rec = new Recorder();
    const m = manager({}, rec.callbacks());
    m.initialize();
    expect(m.getStats()).toMatchObject({ deviceId: `${pulse.sink}.monitor`, backend: 'pulse' });
    m.startRecording();
    await until(() => rec.chunks.length >= 2, 'audio to flow');
    await pulse.play(speech.path);
    const after = rec.chunks.length;
    await until(() => rec.chunks.length >= after + 2, 'two chunks after the speech');
    m.stopRecording();
    const stats = m.getStats();
    const full = rec.chunks.slice(0, -1);
    for (const c of full) expect(c.pcm.length).toBe(4800); // 200 ms at 24 kHz, mono PCM16
    expect(rec.chunks.at(-1)?.pcm.length).toBeLessThanOrEqual(4800); // the flush at stop
    for (const c of rec.chunks) {
      expect(c.volume).toBeGreaterThanOrEqual(0);
      expect(c.volume).toBeLessThanOrEqual(1);
      expect(c.volume).toBeCloseTo(rms(c.pcm), 6); // the volume is the chunk's RMS
    }
    const voiced = rec.chunks.filter((c) => c.volume > 0.02);
    expect(voiced.length).toBeGreaterThanOrEqual(Math.floor(speech.voicedSeconds / 0.2) - 2);
    expect(rec.chunks[0]?.volume).toBeLessThan(0.001); // the idle sink is silent
    expect(Math.max(...rec.volumes)).toBeGreaterThan(0.05);
    expect(rec.volumes.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(stats).toMatchObject({
      state: 'inactive',
      isRecording: false,
      isPaused: false,
      totalChunks: rec.chunks.length,
      totalSamples: rec.sentFrames,
      sentSamples: rec.sentFrames,
      bufferSamples: 0,
      bufferMs: 0,
      vadEnabled: false,
      vadSpeechActive: false,
      sampleRate: 24000,
      channels: 1,
      suppressedSamples: 0,
    });
    expect(rec.states).toEqual(['recording', 'inactive']);
    expect(rec.errors).toEqual([]);
  });

  it('with VAD sends the speech with padding and suppresses the silence around it', {
    timeout: 60_000,
  }, async () => {
    const rec = new Recorder();
    const m = manager({ vadEnabled: true, vadThreshold: 0.02 }, rec.callbacks());
    m.initialize();
    m.startRecording();
    // 1 s of silence first: nothing may be sent.
    await until(() => m.getStats().totalSamples >= 24000, '1 s of captured silence');
    expect(rec.chunks.length).toBe(0);
    await pulse.play(speech.path);
    await until(() => rec.speechEnds >= 1 && !m.getStats().vadSpeechActive, 'the end of speech');
    const sentAtEnd = rec.sentFrames;
    const totalAtEnd = m.getStats().totalSamples;
    // 1 s more of silence: still nothing more sent.
    await until(() => m.getStats().totalSamples >= totalAtEnd + 24000, '1 s more silence');
    m.stopRecording();
    const stats = m.getStats();
    expect(rec.speechStarts).toBeGreaterThanOrEqual(1);
    expect(rec.speechEnds).toBe(rec.speechStarts);
    expect(rec.sentFrames).toBe(sentAtEnd);
    expect(rec.chunks.every((c) => c.speechStartsBefore >= 1)).toBe(true);
    // Everything voiced was sent, plus prefix padding and trailing silence; the silence around it was not.
    expect(rec.sentFrames).toBeGreaterThan(speech.voicedSeconds * 24000);
    expect(stats.suppressedSamples).toBeGreaterThanOrEqual(2 * 24000 - 24000 * 0.3);
    expect(stats.totalSamples).toBe(stats.sentSamples + stats.suppressedSamples);
    const chunkCountWithoutVad = Math.floor(stats.totalSamples / 4800);
    expect(rec.chunks.length).toBeLessThan(chunkCountWithoutVad);
    // Chunks are 200 ms except the last one of each utterance.
    const partial = rec.chunks.filter((c) => c.pcm.length !== 4800);
    expect(partial.length).toBeLessThanOrEqual(rec.speechEnds);
    // The first chunk starts with the quiet prefix, not mid-word.
    expect(rms(rec.chunks[0]?.pcm.subarray(0, 2400) ?? new Int16Array(1))).toBeLessThan(0.02);
    expect(rec.errors).toEqual([]);
  });

  it('with the optional Silero VAD (asynchronous) gates the same way', { timeout: 60_000 }, async () => {
    const vad = await SileroVad.create();
    const rec = new Recorder();
    const m = manager({ vadEnabled: true, vad }, rec.callbacks());
    m.initialize();
    m.startRecording();
    await until(() => m.getStats().totalSamples >= 24000, '1 s of captured silence');
    await pulse.play(speech.path);
    await until(() => rec.speechEnds >= 1 && !m.getStats().vadSpeechActive, 'the end of speech');
    m.stopRecording();
    await vad.close();
    const stats = m.getStats();
    expect(rec.speechStarts).toBeGreaterThanOrEqual(1);
    expect(rec.chunks.every((c) => c.speechStartsBefore >= 1)).toBe(true);
    expect(rec.sentFrames).toBeGreaterThan(speech.voicedSeconds * 24000 * 0.9);
    expect(stats.suppressedSamples).toBeGreaterThan(24000 - 7200);
    expect(rec.errors).toEqual([]);
  });

  it('pause discards audio, keeps the partial chunk and auto-flushes it; resume, flush, stop, dispose', {
    timeout: 60_000,
  }, async () => {
    const rec = new Recorder();
    const m = manager({ autoFlushMs: 200 }, rec.callbacks());
    m.initialize();
    m.startRecording();
    await until(() => rec.chunks.length >= 1 && m.getStats().bufferSamples > 0, 'a partial chunk');
    // flush(): the partial chunk goes out at once.
    const before = rec.chunks.length;
    m.flush();
    expect(rec.chunks.length).toBe(before + 1);
    expect(rec.chunks.at(-1)?.pcm.length).toBeLessThan(4800);
    expect(m.getStats().bufferSamples).toBe(0);
    // pause(): a partial chunk stays, then is auto-flushed since no audio is added to it.
    // (pause() first processes what waits in the ring; if that happens to complete the chunk, try again.)
    let buffered = 0;
    let retries = 0;
    for (;;) {
      await until(() => m.getStats().bufferSamples > 0, 'a new partial chunk');
      m.pause();
      buffered = m.getStats().bufferSamples;
      if (buffered > 0 || retries === 10) break;
      m.resume();
      retries++;
    }
    expect(m.getState()).toBe('paused');
    const total = m.getStats().totalSamples;
    const chunks = rec.chunks.length;
    expect(buffered).toBeGreaterThan(0);
    await until(() => rec.chunks.length === chunks + 1, 'the auto-flush');
    expect(rec.chunks.at(-1)?.pcm.length).toBe(buffered);
    // While paused the device keeps running; its audio is discarded, not counted, not sent.
    const discarded = m.getStats().discardedSamples;
    await until(() => m.getStats().discardedSamples >= discarded + 12000, '0.5 s of paused audio');
    expect(rec.chunks.length).toBe(chunks + 1);
    expect(m.getStats()).toMatchObject({ totalSamples: total, bufferSamples: 0, isPaused: true });
    expect(() => m.startRecording()).toThrow(/while paused/);
    // resume(): full chunks again.
    m.resume();
    const resumedAt = rec.chunks.length;
    await until(() => rec.chunks.length >= resumedAt + 2, 'chunks after resume');
    expect(rec.chunks[resumedAt]?.pcm.length).toBe(4800);
    expect(m.getStats().totalSamples).toBeGreaterThan(total);
    // stopRecording(): flushes; everything counted was sent.
    m.stopRecording();
    let s = m.getStats();
    expect(s.bufferSamples).toBe(0);
    expect(s.totalSamples).toBe(rec.sentFrames);
    // A stopped manager records again; dispose() stops (flushing) and closes the device.
    m.startRecording();
    await until(() => m.getStats().bufferSamples > 0 || rec.chunks.length > s.totalChunks, 'audio again');
    m.dispose();
    s = m.getStats();
    expect(s.state).toBe('inactive');
    expect(s.totalSamples).toBe(rec.sentFrames);
    expect(() => m.startRecording()).toThrow(
      expect.objectContaining({ name: 'RuntimeError', code: 'DISPOSED' }),
    );
    m.dispose(); // idempotent
    const retried = Array.from({ length: retries }, () => ['paused', 'recording']).flat();
    expect(rec.states).toEqual([
      'recording',
      ...retried,
      'paused',
      'recording',
      'inactive',
      'recording',
      'inactive',
    ]);
    expect(rec.errors).toEqual([]);
  });

  it('auto-flushes a partial chunk when the device stalls mid-chunk, and not with autoFlushMs 0', {
    timeout: 60_000,
  }, async () => {
    const rec = new Recorder();
    const m = manager({ autoFlushMs: 200 }, rec.callbacks());
    const off = manager({ autoFlushMs: 0 }, new Recorder().callbacks());
    // A slower auto-flush is the witness that time passed: once it has flushed, `off` has held its partial
    // chunk through 600 ms of stall too (no sleep; the wait is on what the managers hand out).
    const lateRec = new Recorder();
    const late = manager({ autoFlushMs: 600 }, lateRec.callbacks());
    const all = [m, off, late];
    for (const x of all) x.initialize();
    for (const x of all) x.startRecording();
    const partialSince = (r: Recorder, from: number) => r.chunks.slice(from).some((c) => c.pcm.length < 4800);
    // Suspend the sink while all hold a partial chunk. The last periods delivered after the suspend may
    // complete a chunk exactly (then there is nothing to flush): resume and try again.
    let stalled = false;
    for (let attempt = 0; attempt < 5 && !stalled; attempt++) {
      await until(
        () => all.every((x) => x.getStats().bufferSamples > 0),
        'the three managers to hold a partial chunk',
      );
      const before = rec.chunks.length;
      const lateBefore = lateRec.chunks.length;
      pulse.pactl('suspend-sink', pulse.sink, '1'); // the monitor stops delivering
      try {
        await until(() => m.getStats().bufferSamples === 0, 'the 200 ms manager to empty its buffer');
        const held = off.getStats().bufferSamples;
        if (!partialSince(rec, before) || held === 0) continue;
        expect(m.getState()).toBe('recording');
        await until(() => late.getStats().bufferSamples === 0, 'the 600 ms manager to empty its buffer');
        if (!partialSince(lateRec, lateBefore)) continue;
        stalled = true;
        // Without auto-flush the partial chunk waits (for flush() or more audio).
        expect(off.getStats().bufferSamples).toBe(held);
        expect(off.getStats().totalChunks).toBe(Math.floor(off.getStats().totalSamples / 4800));
      } finally {
        pulse.pactl('suspend-sink', pulse.sink, '0');
      }
    }
    expect(stalled).toBe(true);
    for (const x of all) x.stopRecording();
  });

  it('keeps every sample accounted for when control calls come from callbacks and timers while audio flows', {
    timeout: 60_000,
  }, async () => {
    const rec = new Recorder();
    let m: AudioCaptureManager | undefined;
    let calls = 0;
    const callbacks = rec.callbacks({
      // From inside callbacks: pause/resume/flush/stats, and swapping the callbacks for the same ones.
      onAudioData: () => {
        calls++;
        if (calls % 3 === 0) m?.flush();
        if (calls % 5 === 0) m?.pause();
        if (calls % 7 === 0) m?.resume();
        m?.getStats();
      },
      onVolumeChange: () => {
        calls++;
        if (calls % 11 === 0) m?.flush();
        if (calls % 13 === 0) m?.pause();
        if (calls % 17 === 0) m?.resume();
        if (calls % 19 === 0) m?.setCallbacks(callbacks);
        m?.getCurrentVolume();
      },
    });
    m = manager({}, callbacks);
    m.initialize();
    m.startRecording();
    const player = pulse.play(speech.path);
    // From timers, interleaved with the audio wake-ups.
    let tick = 0;
    const violations: string[] = [];
    const timer = setInterval(() => {
      tick++;
      if (tick % 4 === 0) m?.pause();
      else if (tick % 4 === 2) m?.resume();
      if (tick % 3 === 0) m?.flush();
      const s = m?.getStats();
      if (s && s.totalSamples !== s.sentSamples + s.bufferSamples) violations.push(JSON.stringify(s));
    }, 7);
    await player;
    clearInterval(timer);
    m.resume();
    await until(() => rec.chunks.length > 5, 'chunks');
    m.stopRecording();
    const s = m.getStats();
    expect(rec.errors).toEqual([]);
    expect(violations).toEqual([]);
    expect(rec.chunks.every((c) => c.pcm.length > 0 && c.pcm.length <= 4800)).toBe(true);
    expect(s.totalChunks).toBe(rec.chunks.length);
    expect(s.sentSamples).toBe(rec.sentFrames);
    expect(s.totalSamples).toBe(s.sentSamples);
    expect(s.discardedSamples).toBeGreaterThan(0);
    expect(rec.states.filter((x) => x === 'paused').length).toBeGreaterThan(2);
    expect(s.state).toBe('inactive');
  });
});
