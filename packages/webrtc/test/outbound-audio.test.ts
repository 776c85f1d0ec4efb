import { describe, expect, it } from 'vitest';
import type { RtpPacket } from 'werift';
import { createFrameDecoder, createFrameEncoder } from '../src/codec-adapter.js';
import { OutboundAudio } from '../src/outbound-audio.js';
import { PcmQueue } from '../src/pcm-queue.js';
import { concat, dominantFrequency, rmsDb, tone } from './helpers/audio.js';

// A stand-in encoder for this unit test of the packetizer only: the payload carries the frame's first sample
// and its sum, so the test can see which audio went into which packet.
const probeEncoder = {
  encode(frame: Int16Array): Uint8Array {
    let sum = 0;
    for (const v of frame) sum += v;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setInt32(0, frame[0]);
    new DataView(out.buffer).setInt32(4, sum);
    return out;
  },
};

function setup() {
  const packets: RtpPacket[] = [];
  const out = new OutboundAudio({
    frameSamples: 960,
    maxQueueSamples: 48000,
    encoder: probeEncoder,
    send: (p) => packets.push(p.clone()),
  });
  const probe = (p: RtpPacket) => {
    const dv = new DataView(p.payload.buffer, p.payload.byteOffset, 8);
    return { first: dv.getInt32(0), sum: dv.getInt32(4) };
  };
  return { out, packets, probe };
}

describe('OutboundAudio (RTP packetizer)', () => {
  it('sends one packet per slot with sequence +1 and timestamp +960, marker on the first', () => {
    const { out, packets, probe } = setup();
    const pcm = new Int16Array(960 * 3);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.floor(i / 960) + 1; // frame k holds value k+1
    out.write(pcm);
    for (let i = 0; i < 3; i++) out.slot();
    expect(packets.length).toBe(3);
    expect(packets.map((p) => probe(p).first)).toEqual([1, 2, 3]);
    expect(packets.map((p) => probe(p).sum)).toEqual([960, 1920, 2880]);
    for (let i = 1; i < 3; i++) {
      expect((packets[i].header.sequenceNumber - packets[i - 1].header.sequenceNumber) & 0xffff).toBe(1);
      expect((packets[i].header.timestamp - packets[i - 1].header.timestamp) >>> 0).toBe(960);
    }
    expect(packets.map((p) => p.header.marker)).toEqual([true, false, false]);
    expect(out.queuedSamples).toBe(0);
  });

  it('sends encoded silence when nothing is queued, keeping one packet per 20 ms', () => {
    const { out, packets, probe } = setup();
    out.write(new Int16Array(960).fill(1));
    out.slot();
    out.slot(); // idle: silence
    out.slot(); // idle: silence
    out.write(new Int16Array(960).fill(2));
    out.slot();
    expect(packets.map((p) => probe(p).sum)).toEqual([960, 0, 0, 1920]);
    for (let i = 1; i < 4; i++) {
      expect((packets[i].header.sequenceNumber - packets[i - 1].header.sequenceNumber) & 0xffff).toBe(1);
      expect((packets[i].header.timestamp - packets[i - 1].header.timestamp) >>> 0).toBe(960);
    }
    expect(out.stats.idleSlots).toBe(2);
  });

  it('waits one slot for the rest of a partial frame, then pads it with silence; end() pads at once', () => {
    const { out, packets, probe } = setup();
    out.write(new Int16Array(500).fill(3));
    out.slot(); // waits: silence goes out, the partial frame stays
    expect(probe(packets[0]).sum).toBe(0);
    expect(out.queuedSamples).toBe(500);
    out.write(new Int16Array(460).fill(3));
    out.slot();
    expect(probe(packets[1]).sum).toBe(960 * 3);
    out.write(new Int16Array(100).fill(4));
    out.slot(); // waits
    out.slot(); // nothing more arrived: padded
    expect(probe(packets[3]).sum).toBe(400);
    out.write(new Int16Array(10).fill(5));
    out.end();
    out.slot();
    expect(probe(packets[4]).sum).toBe(50);
    expect(out.stats.paddedFrames).toBe(2);
    expect(out.queuedSamples).toBe(0);
  });

  it('advances over skipped slots after an event-loop stall without dropping queued audio', () => {
    const { out, packets, probe } = setup();
    out.write(new Int16Array(960 * 2).fill(1));
    out.slot();
    out.slot(4);
    expect(packets.map((p) => probe(p).sum)).toEqual([960, 960]);
    expect((packets[1].header.timestamp - packets[0].header.timestamp) >>> 0).toBe(5 * 960);
    expect(packets[1].header.marker).toBe(true);
  });

  it('sends queued Opus packets as they are, before queued PCM, each on the slots its duration covers', () => {
    const { out, packets, probe } = setup();
    const opus = (tag: number) => Uint8Array.of(0xf8, tag, 0, 0, 0, 0, 0, 0);
    out.write(new Int16Array(960).fill(1));
    const p20 = opus(20);
    out.writeEncoded(p20, 960);
    p20[1] = 99; // the caller may reuse its buffer: the queued packet is a copy
    out.writeEncoded(opus(40), 1920);
    out.writeEncoded(opus(10), 480);
    out.writeEncoded(opus(11), 480);
    expect(out.queuedSamples).toBe(960 + 960 + 1920 + 960);
    for (let i = 0; i < 6; i++) out.slot();
    // Slot 1: the 20 ms packet; 2: the 40 ms one; 3: nothing (the 40 ms packet still plays); 4: both 10 ms
    // packets; 5: the queued PCM; 6: silence.
    expect(packets.map((p) => (p.payload[0] === 0xf8 ? p.payload[1] : `pcm ${probe(p).sum}`))).toEqual([
      20,
      40,
      10,
      11,
      'pcm 960',
      'pcm 0',
    ]);
    const steps = packets.slice(1).map((p, i) => (p.header.timestamp - packets[i].header.timestamp) >>> 0);
    expect(steps).toEqual([960, 1920, 480, 480, 960]);
    expect(out.queuedSamples).toBe(0);
    expect(out.stats.packetsSent).toBe(6);
    // Packets count against the limit like PCM, and clear() drops them too.
    const limited = new OutboundAudio({
      frameSamples: 960,
      maxQueueSamples: 1920,
      encoder: probeEncoder,
      send() {},
    });
    limited.writeEncoded(opus(1), 960);
    limited.write(new Int16Array(960));
    expect(() => limited.writeEncoded(opus(2), 960)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(limited.makeRoom(960)).toBe(960); // the packet, which would go out first, is the oldest
    expect(limited.queuedSamples).toBe(960);
    limited.writeEncoded(opus(3), 960);
    expect(limited.clear()).toBe(1920);
    expect(limited.queuedSamples).toBe(0);
  });

  it('clear() drops queued audio and counts it', () => {
    const { out, packets, probe } = setup();
    out.write(new Int16Array(960 * 4));
    expect(out.clear()).toBe(3840);
    out.slot();
    expect(probe(packets[0]).sum).toBe(0);
    expect(out.stats.clearedSamples).toBe(3840);
  });
});

describe('OutboundAudio with real Opus: settled silence', () => {
  /** 0.5 s of a 300 Hz tone, 2 s with nothing queued, 0.5 s of the tone: the packets sent and the encodes run. */
  function stream(reuseSilenceAfter: number) {
    const encoder = createFrameEncoder({ frameMs: 20, backend: 'opusscript' });
    let encodes = 0;
    const payloads: Buffer[] = [];
    const out = new OutboundAudio({
      frameSamples: 960,
      maxQueueSamples: 48000,
      // The real encoder, counted.
      encoder: {
        encode(frame) {
          encodes++;
          return encoder.encode(frame);
        },
      },
      send: (p) => payloads.push(Buffer.from(p.payload)),
      reuseSilenceAfter,
    });
    const speech = tone(300, 48000, 0.5, 0.3);
    out.write(speech);
    for (let i = 0; i < 25; i++) out.slot();
    for (let i = 0; i < 100; i++) out.slot();
    out.write(speech);
    for (let i = 0; i < 25; i++) out.slot();
    encoder.destroy?.();
    return { payloads, encodes, stats: out.stats };
  }

  function decode(payloads: Buffer[]): Int16Array {
    const decoder = createFrameDecoder(48000, 'opusscript');
    const pcm = concat(payloads.map((p) => decoder.decode(p).slice()));
    decoder.destroy?.();
    return pcm;
  }

  it('resends the settled silence packet instead of encoding zeros, and the speech after it decodes the same', () => {
    const plain = stream(0);
    const reused = stream(5);
    expect(plain.encodes).toBe(150);
    expect(plain.stats.silenceReused).toBe(0);
    // The encoder settles within a few idle slots; from then on no idle slot encodes.
    expect(reused.stats.idleSlots).toBe(100);
    expect(reused.stats.silenceReused).toBeGreaterThan(85);
    expect(reused.encodes).toBe(150 - reused.stats.silenceReused);
    expect(reused.payloads).toHaveLength(150);
    // Every resent packet is the very bytes the encoder wrote for silence before it.
    const idle = reused.payloads.slice(25, 125);
    const settled = idle[idle.length - 1];
    expect(idle.filter((p) => p.equals(settled)).length).toBeGreaterThanOrEqual(reused.stats.silenceReused);
    // The silence decodes to silence, and the tone after it as well as without the reuse.
    const a = decode(plain.payloads);
    const b = decode(reused.payloads);
    expect(rmsDb(b.subarray(60 * 960, 120 * 960))).toBeLessThan(-80);
    const tail = (pcm: Int16Array) => pcm.subarray(130 * 960, 150 * 960);
    expect(dominantFrequency(tail(b), 48000)).toBeCloseTo(300, 0);
    expect(Math.abs(rmsDb(tail(b)) - rmsDb(tail(a)))).toBeLessThan(0.5);
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < tail(a).length; i++) {
      signal += tail(a)[i] ** 2;
      noise += (tail(a)[i] - tail(b)[i]) ** 2;
    }
    expect(10 * Math.log10(signal / Math.max(noise, 1))).toBeGreaterThan(30);
  });
});

describe('PcmQueue', () => {
  it('keeps FIFO order across wrap-around and growth, and refuses to exceed its limit', () => {
    const q = new PcmQueue(100, 8);
    const read = new Int16Array(5);
    let next = 0;
    let expected = 0;
    const seq = (n: number) => Int16Array.from({ length: n }, () => next++);
    for (let round = 0; round < 20; round++) {
      q.push(seq(7));
      const n = q.read(read);
      for (let i = 0; i < n; i++) expect(read[i]).toBe(expected++);
    }
    expect(q.length).toBe(40);
    expect(() => q.push(new Int16Array(61))).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(q.length).toBe(40);
    const rest = new Int16Array(100);
    const n = q.read(rest);
    expect(n).toBe(40);
    for (let i = 0; i < n; i++) expect(rest[i]).toBe(expected++);
  });
  it('skip drops the oldest samples, across the wrap, and keeps the rest in order', () => {
    const q = new PcmQueue(16, 16);
    const out = new Int16Array(16);
    q.push(Int16Array.from({ length: 12 }, (_, i) => i));
    q.read(out.subarray(0, 10)); // head now near the end of the buffer
    q.push(Int16Array.from({ length: 10 }, (_, i) => 12 + i)); // wraps
    expect(q.skip(5)).toBe(5);
    expect(q.read(out)).toBe(7);
    expect(Array.from(out.subarray(0, 7))).toEqual([15, 16, 17, 18, 19, 20, 21]);
    expect(q.skip(3)).toBe(0);
  });
});
