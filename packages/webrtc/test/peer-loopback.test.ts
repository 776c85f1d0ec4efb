import { type AudioFrame, audioFrame, encodedFrame, OpusEncoder } from '@voxwire/codecs';
import { handleCounts, settleLeaks } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { WebRtcAudioPeer, WebRtcError } from '../src/index.js';
import {
  concat,
  dominantFrequency,
  loudBlocks,
  rmsDb,
  tone,
  zeroCrossingFrequency,
} from './helpers/audio.js';
import { collectAudio, connectedPair, eventWithin, LOOPBACK } from './helpers/peers.js';

/** `samples` of silence as a 48 kHz frame. */
const frame48k = (samples: number) => audioFrame(new Int16Array(samples), 48000);

describe('WebRtcAudioPeer ⇄ WebRtcAudioPeer over loopback', () => {
  it('carries tones through Opus both ways at the right pitch and level, then releases every handle', async () => {
    const baseline = handleCounts();
    const [a, b] = await connectedPair({ sampleRate: 48000 }, { sampleRate: 16000 });
    // a sends 440 Hz at 16 kHz (resampled to 48 kHz inside); b sends 1 kHz at 24 kHz; b hears at 16 kHz.
    const toB = collectAudio(b, 1.2);
    const toA = collectAudio(a, 1.2);
    a.sendAudio(audioFrame(tone(440, 16000, 1.6, 0.25), 16000));
    b.sendAudio(audioFrame(tone(1000, 24000, 1.6, 0.25), 24000));
    await Promise.all([toB.done, toA.done]);

    // Skip the first 300 ms (Opus and resampler start-up), measure 800 ms of steady tone.
    const atB = concat(toB.chunks).subarray(0.3 * 16000, 1.1 * 16000);
    const atA = concat(toA.chunks).subarray(0.3 * 48000, 1.1 * 48000);
    const sentDb = rmsDb(tone(440, 16000, 1, 0.25));
    expect(dominantFrequency(atB, 16000)).toBeCloseTo(440, 0);
    expect(zeroCrossingFrequency(atB, 16000)).toBeCloseTo(440, 0);
    expect(Math.abs(rmsDb(atB) - sentDb)).toBeLessThan(1.5);
    expect(dominantFrequency(atA, 48000)).toBeCloseTo(1000, 0);
    expect(zeroCrossingFrequency(atA, 48000)).toBeCloseTo(1000, 0);
    expect(Math.abs(rmsDb(atA) - sentDb)).toBeLessThan(1.5);

    // Frames come in sequence order, one per 20 ms packet, none concealed on a clean loopback.
    for (let i = 1; i < toB.seqs.length; i++) expect((toB.seqs[i] - toB.seqs[i - 1]) & 0xffff).toBe(1);
    expect(toB.concealedCount()).toBe(0);
    expect(toB.chunks[5].length).toBe(320); // 20 ms at 16 kHz

    const sa = await a.stats();
    const sb = await b.stats();
    expect(sa.packetsSent).toBeGreaterThanOrEqual(60);
    expect(sb.packetsReceived).toBeGreaterThanOrEqual(60);
    expect(sb.packetsLost).toBe(0);
    expect(sb.jitterMs).toBeGreaterThanOrEqual(0);
    expect(sb.connectionState).toBe('connected');
    expect(sa.rttMs).toBeGreaterThan(0);
    expect(Number.isFinite(sa.rttMs)).toBe(true);

    await Promise.all([a.close(), b.close()]);
    expect(a.connectionState).toBe('closed');
    expect(await settleLeaks(baseline)).toEqual({});
  });

  it('stays in order and intelligible with 10 % packet loss, concealing the lost frames with Opus PLC', async () => {
    const [a, b] = await connectedPair({}, { simulatedInboundLossPercent: 10 });
    const got = collectAudio(b, 1.6);
    a.sendAudio(audioFrame(tone(440, 48000, 2.0, 0.25), 48000));
    await got.done;
    const stats = await b.stats();
    // Every frame slot is accounted for: in order, lost ones concealed rather than skipped.
    for (let i = 1; i < got.seqs.length; i++) expect((got.seqs[i] - got.seqs[i - 1]) & 0xffff).toBe(1);
    expect(got.concealedCount()).toBeGreaterThan(0);
    expect(stats.framesConcealed).toBeGreaterThan(0);
    expect(stats.packetsLost).toBeGreaterThan(0);
    expect(stats.fractionLost).toBeGreaterThan(0.03);
    expect(stats.fractionLost).toBeLessThan(0.2);
    const pcm = concat(got.chunks).subarray(0.3 * 48000, 1.5 * 48000);
    expect(dominantFrequency(pcm, 48000)).toBeCloseTo(440, 0);
    const toneDb = rmsDb(tone(440, 48000, 1, 0.25));
    expect(Math.abs(rmsDb(pcm) - toneDb)).toBeLessThan(2);
    // The concealed frames themselves carry the tone on (Opus PLC), not silence: within 6 dB of the tone.
    const concealedFrames = got.chunks.filter((_, i) => got.concealedFlags[i] && i > 10);
    expect(concealedFrames.length).toBeGreaterThan(0);
    expect(rmsDb(concat(concealedFrames))).toBeGreaterThan(toneDb - 6);
    await Promise.all([a.close(), b.close()]);
  });

  it('sends Opus EncodedFrames as they are, on its clock, and the far end hears them at the right pitch', async () => {
    const [a, b] = await connectedPair({}, { sampleRate: 16000 });
    const positions: number[] = [];
    b.on('audio', (frame) => positions.push(frame.position));
    const got = collectAudio(b, 2);
    const enc = new OpusEncoder({ sampleRate: 48000, frameMs: 20 });
    const pcm = tone(700, 48000, 1.6, 0.25);
    for (let i = 0; i < pcm.length; i += 960) {
      a.sendAudio(encodedFrame('opus', enc.encode(pcm.subarray(i, i + 960)), { samples: 960 }));
    }
    enc.destroy();
    expect(a.queuedMs).toBe(1600); // 80 packets of 20 ms, waiting for their slots
    await eventWithin(a, 'drain', 40000);
    await got.done;
    const heard = concat(got.chunks);
    const loud = loudBlocks(heard, 320);
    // 1.6 s of tone arrived (one 20 ms frame either side for Opus' start-up and fade), at its pitch and level.
    expect(loud.length * 20).toBeGreaterThanOrEqual(1540);
    expect(loud.length * 20).toBeLessThanOrEqual(1660);
    const steady = heard.subarray(loud[0] + 3200, loud[0] + 3200 + 16000);
    expect(dominantFrequency(steady, 16000)).toBeCloseTo(700, 0);
    expect(Math.abs(rmsDb(steady) - rmsDb(tone(700, 16000, 1, 0.25)))).toBeLessThan(1.5);
    // Inbound frames sit back to back on the stream's timeline.
    expect(positions).toEqual(positions.map((_, i) => positions[0] + i * 320));
    await Promise.all([a[Symbol.asyncDispose](), b.close()]);
    expect(a.isClosed).toBe(true);
  });

  it('closes and releases everything when the far end vanishes mid-call without hanging up', async () => {
    const baseline = handleCounts();
    const [a, b] = await connectedPair({ mediaTimeoutMs: 1000 }, {});
    const heard = collectAudio(a, 0.2);
    await heard.done; // b's silence frames flow
    const errors: WebRtcError[] = [];
    a.on('error', (e) => errors.push(e));
    // (events.once would reject on the 'error' event that precedes 'close', so listen plainly.)
    const closed = new Promise<void>((resolve) => a.once('close', resolve));
    // Kill b's network under it: its ICE sockets close, nothing (no DTLS close, no RTCP BYE) reaches a.
    const ice = (b as unknown as { pc: { iceTransports: { connection: { close(): Promise<void> } }[] } }).pc
      .iceTransports[0].connection;
    await ice.close();
    await closed;
    expect(errors.map((e) => e.code)).toEqual(['MEDIA_TIMEOUT']);
    expect(a.connectionState).toBe('closed');
    await b.close();
    expect(await settleLeaks(baseline)).toEqual({});
  });

  it('rejects malformed SDP, bad candidates, bad audio and use after close with typed errors', async () => {
    const baseline = handleCounts();
    const p = new WebRtcAudioPeer(LOOPBACK);
    await expect(p.acceptOffer('hello')).rejects.toMatchObject({ name: 'WebRtcError', code: 'BAD_SDP' });
    await expect(p.acceptOffer('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n')).rejects.toMatchObject({
      code: 'BAD_SDP',
      message: expect.stringMatching(/no audio section/),
    });
    await expect(
      p.acceptAnswer('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n'),
    ).rejects.toMatchObject({ code: 'BAD_SDP', message: expect.stringMatching(/Opus/) });
    await expect(p.addIceCandidate({ candidate: 'nonsense' })).rejects.toMatchObject({
      code: 'BAD_CANDIDATE',
    });
    const pcm = (data: unknown, sampleRate = 48000, channels = 1) =>
      ({ data, sampleRate, channels, position: 0 }) as AudioFrame;
    expect(() => p.sendAudio(pcm(new Float32Array(10)))).toThrow(WebRtcError);
    expect(() => p.sendAudio(new Int16Array(10) as unknown as AudioFrame)).toThrow(
      expect.objectContaining({ code: 'BAD_AUDIO' }),
    );
    expect(() => p.sendAudio(pcm(new Int16Array(10), 12.5))).toThrow(/sampleRate/);
    expect(() => p.sendAudio(pcm(new Int16Array(10), 48000, 2))).toThrow(/mono/);
    expect(() => p.sendAudio(encodedFrame('pcmu', new Uint8Array(160)))).toThrow(
      expect.objectContaining({ code: 'BAD_AUDIO', message: expect.stringMatching(/only Opus/) }),
    );
    expect(() => p.sendAudio(encodedFrame('opus', Uint8Array.of(0xf8), { samples: 0 }))).toThrow(
      expect.objectContaining({ code: 'BAD_AUDIO' }),
    );
    expect(() => new WebRtcAudioPeer({ frameMs: 25 })).toThrow(/frameMs/);
    await p.close();
    await expect(p.createOffer()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => p.sendAudio(frame48k(10))).toThrow(/closed/);
    expect(await settleLeaks(baseline)).toEqual({});
  });

  it('refuses audio beyond its queue limit without queueing any of it', async () => {
    const p = new WebRtcAudioPeer({ ...LOOPBACK, maxQueueMs: 100 });
    p.sendAudio(frame48k(48 * 80));
    expect(() => p.sendAudio(frame48k(48 * 40))).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(p.queuedMs).toBe(80);
    expect(p.clearAudio()).toBe(80);
    expect(p.queuedMs).toBe(0);
    await p.close();
  });
  it("with queueOverflow 'drop-oldest', keeps the newest audio under the limit and counts what it dropped", async () => {
    const p = new WebRtcAudioPeer({ ...LOOPBACK, maxQueueMs: 100, queueOverflow: 'drop-oldest' });
    p.sendAudio(frame48k(48 * 80));
    p.sendAudio(frame48k(48 * 40)); // 20 ms of the oldest audio make room
    expect(p.queuedMs).toBe(100);
    expect((await p.stats()).overflowDroppedMs).toBe(20);
    // A single chunk longer than the whole queue is still refused, and nothing changes.
    expect(() => p.sendAudio(frame48k(48 * 150))).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(p.queuedMs).toBe(100);
    await p.close();
    expect(() => new WebRtcAudioPeer({ queueOverflow: 'drop-newest' as 'error' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => new WebRtcAudioPeer({ maxQueueMs: 0 })).toThrow(/maxQueueMs/);
  });

  it("a burst into a 'drop-oldest' peer reaches the far end as only its newest part", async () => {
    const [a, b] = await connectedPair({ maxQueueMs: 300, queueOverflow: 'drop-oldest' }, {});
    const got = collectAudio(b, 1.2);
    // 2 s of 440 Hz then 300 ms of 1 kHz, handed over at once, 20 ms at a time: a live feed that got ahead.
    const burst = concat([tone(440, 48000, 2, 0.25), tone(1000, 48000, 0.3, 0.25)]);
    for (let i = 0; i < burst.length; i += 960) a.sendAudio(audioFrame(burst.subarray(i, i + 960), 48000));
    expect(a.queuedMs).toBe(300);
    await got.done;
    expect((await a.stats()).overflowDroppedMs).toBe(2000);
    // What b heard: silence, the 300 ms of 1 kHz, silence again; none of the 440 Hz.
    const heard = concat(got.chunks);
    const loud = loudBlocks(heard, 480);
    expect(loud.length * 10).toBeGreaterThanOrEqual(260);
    expect(loud.length * 10).toBeLessThanOrEqual(340);
    const tonePart = heard.subarray(loud[0] + 4800, loud[loud.length - 1] - 2400);
    expect(dominantFrequency(tonePart, 48000)).toBeCloseTo(1000, -1);
    await Promise.all([a.close(), b.close()]);
  });
});
