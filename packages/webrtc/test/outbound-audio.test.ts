import { describe, expect, it } from 'vitest';
import type { RtpPacket } from 'werift';
import { OutboundAudio } from '../src/outbound-audio.js';
import { PcmQueue } from '../src/pcm-queue.js';

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
