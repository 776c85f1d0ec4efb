import { encodedFrame, mulaw } from '@voxwire/codecs';
import { speech, tone } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamServer, TwilioCall } from '../src/index.js';
import { simulator, startServer } from './helpers.js';

let server: MediaStreamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('30 s call round trip', () => {
  it('passes mu-law through bit-exact, in whole frames, without gaps', async () => {
    const started = await startServer();
    server = started.server;
    const calls: TwilioCall[] = [];
    server.on('call', (call) => {
      calls.push(call);
      // Pass-through: every caller frame goes straight back.
      call.on('audio', (frame) => call.sendAudio(frame));
    });
    // 30 s of caller audio: speech and tones, not a multiple of the frame size.
    const words = speech(
      'This is a thirty second test call through the voxwire Twilio media stream server.',
      8000,
    );
    const parts: Int16Array[] = [];
    let total = 0;
    for (let i = 0; total < 30 * 8000 - 8000; i++) {
      const p = i % 2 === 0 ? words : tone(300 + 97 * i, 8000, 5840, 0.3);
      parts.push(p);
      total += p.length;
    }
    const source = new Int16Array(total + 37);
    let o = 0;
    for (const p of parts) {
      source.set(p, o);
      o += p.length;
    }
    const codes = mulaw.encode(source);
    expect(codes.length / 8000).toBeGreaterThanOrEqual(29);

    const sim = simulator(started.url, { customParameters: { caller: '+15550100' }, idleSilence: false });
    await sim.connect();
    await sim.streamAudio(encodedFrame('pcmu', codes));
    // Let the last echoed frames play out.
    await sim.until(() => sim.playedMs() >= sim.report().sentMs);
    const call = calls[0];
    const end = call.endUtterance('bye');
    const result = await end;
    await sim.stop();

    const sent = sim.sentMulaw();
    const heard = sim.heardMulaw();
    // Bit-exact: everything the caller sent came back, in order, nothing lost, nothing added.
    expect(heard.length).toBe(sent.length);
    expect(Buffer.compare(Buffer.from(heard), Buffer.from(sent))).toBe(0);
    // The source itself is in there, at the start.
    expect(Buffer.compare(Buffer.from(sent.subarray(0, codes.length)), Buffer.from(codes))).toBe(0);
    const report = sim.report();
    expect(report.partialFrames).toBe(0);
    expect(report.partialTicks).toBe(0);
    expect(report.segments.length).toBe(1);
    expect(report.errors).toEqual([]);
    expect(result).toMatchObject({ name: 'bye', played: true });
    expect(result.playedMs).toBe(sent.length / 8);
    expect(call.playedMs()).toBe(sent.length / 8);
    expect(call.customParameters).toEqual({ caller: '+15550100' });
    expect(call.callSid).toBe(sim.callSid);
    expect(call.inboundStats.gaps).toBe(0);
  }, 60_000);
});
