import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFrame, encodedFrame, mulaw, wav } from '@voxwire/codecs';
import { dbfs, estimatePitchHz, tone } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { CallRecorder } from '../src/index.js';

describe('CallRecorder', () => {
  it('aligns agent audio after the caller audio heard so far and drops what barge-in cleared', () => {
    const r = new CallRecorder({ sampleRate: 8000 });
    r.caller(audioFrame(tone(300, 8000, 8000, 0.2), 8000)); // 1 s of caller
    r.agent(audioFrame(tone(1000, 8000, 16000, 0.2), 8000)); // 2 s of agent, starts at 1 s
    r.caller(audioFrame(new Int16Array(4000), 8000)); // 0.5 s more caller: agent is half a second in
    r.clearAgent(1500); // 1.5 s of the agent's 2 s were never heard
    const rec = r.recording();
    expect(rec.durationMs).toBe(1500);
    expect(rec.clearedMs).toBe(1500);
    expect(Array.from(rec.agent.subarray(0, 8000)).every((v) => v === 0)).toBe(true);
    expect(estimatePitchHz(rec.agent.subarray(8000), 8000)).toBeCloseTo(1000, 0);
    expect(estimatePitchHz(rec.caller.subarray(0, 8000), 8000)).toBeCloseTo(300, 0);
  });

  it('resamples each side to the recording rate', () => {
    const r = new CallRecorder({ sampleRate: 16000 });
    r.caller(audioFrame(tone(440, 8000, 8000, 0.25), 8000));
    r.agent(audioFrame(tone(880, 24000, 24000, 0.25), 24000));
    const rec = r.recording();
    expect(estimatePitchHz(rec.caller.subarray(1000, 15000), 16000)).toBeCloseTo(440, 0);
    expect(dbfs(rec.caller.subarray(1000, 15000))).toBeCloseTo(dbfs(tone(440, 8000, 8000, 0.25)), 1);
  });

  it('saves caller, agent, mixed (stereo) WAV files and a JSON summary that read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voxwire-rec-'));
    try {
      const r = new CallRecorder({ sampleRate: 8000 });
      const caller = tone(300, 8000, 4000, 0.2);
      r.caller(audioFrame(caller, 8000));
      r.agent(audioFrame(tone(1000, 8000, 4000, 0.2), 8000));
      const files = await r.save(dir, { stereo: true, summary: { turns: 1 } });
      const c = wav.read(await readFile(files.caller));
      expect(c).toMatchObject({ sampleRate: 8000, channels: 1, encoding: 'pcm16' });
      expect(Array.from(c.data.subarray(0, 4000))).toEqual(Array.from(caller));
      const m = wav.read(await readFile(files.mixed));
      expect(m.channels).toBe(2);
      expect(m.data.length).toBe(2 * 8000);
      const summary = JSON.parse(await readFile(files.summary, 'utf8'));
      expect(summary).toMatchObject({ sampleRate: 8000, durationMs: 1000, turns: 1, stereo: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('records a pass-through call unchanged: both sides mu-law at 8 kHz, decoded, nothing resampled', () => {
    const r = new CallRecorder(); // rate from the first audio: 8 kHz here
    const callerPcm = tone(300, 8000, 8000, 0.2);
    const agentPcm = tone(1000, 8000, 8000, 0.2);
    r.caller(encodedFrame('pcmu', mulaw.encode(callerPcm)));
    r.agent(encodedFrame('pcmu', mulaw.encode(agentPcm)));
    const rec = r.recording();
    expect(rec.sampleRate).toBe(8000);
    expect(rec.durationMs).toBe(2000);
    // Exactly the G.711 decode of what went over the wire, sample for sample: no resampler touched it.
    expect(Array.from(rec.caller.subarray(0, 8000))).toEqual(
      Array.from(mulaw.decode(mulaw.encode(callerPcm))),
    );
    expect(Array.from(rec.agent.subarray(8000))).toEqual(Array.from(mulaw.decode(mulaw.encode(agentPcm))));
  });

  it('rejects a bad sample rate', () => {
    expect(() => new CallRecorder({ sampleRate: 0 })).toThrow(
      expect.objectContaining({ name: 'BridgeError', code: 'INVALID_ARGUMENT' }),
    );
  });
});
