import { OpusEncoder } from '@voxwire/codecs';
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { createFrameDecoder, createOutputConverter } from '../src/codec-adapter.js';
import { InboundAudio, type InboundFrameInfo } from '../src/inbound-audio.js';
import { concat, dominantFrequency, rmsDb, tone } from './helpers/audio.js';

/** A 440 Hz tone as real RTP packets: Opus 20 ms frames, serialized to wire bytes. */
function tonePackets(count: number, firstSeq: number): Buffer[] {
  const enc = new OpusEncoder({ sampleRate: 48000, frameMs: 20 });
  const pcm = tone(440, 48000, (count * 20) / 1000, 0.25);
  const wire: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const payload = enc.encode(pcm.subarray(i * 960, (i + 1) * 960));
    const header = new RtpHeader({
      payloadType: 111,
      sequenceNumber: (firstSeq + i) & 0xffff,
      timestamp: (1_000_000 + i * 960) >>> 0,
      ssrc: 1234,
      marker: i === 0,
    });
    wire.push(new RtpPacket(header, payload).serialize());
  }
  enc.destroy();
  return wire;
}

function receiver(outputRate = 48000) {
  const decoder = createFrameDecoder(outputRate);
  const frames: { pcm: Int16Array; position: number; sampleRate: number; info: InboundFrameInfo }[] = [];
  const errors: unknown[] = [];
  const inbound = new InboundAudio({
    decoder,
    converter: createOutputConverter(decoder.sampleRate, outputRate),
    onAudio: (frame, info) =>
      frames.push({ pcm: frame.data, position: frame.position, sampleRate: frame.sampleRate, info }),
    onDecodeError: (err) => errors.push(err),
  });
  const feed = (buf: Buffer) => {
    const p = RtpPacket.deSerialize(buf);
    inbound.receive(p.header.sequenceNumber, p.header.timestamp, p.payload);
  };
  return { inbound, frames, errors, feed, decoder };
}

describe('InboundAudio with synthetic RTP packets and real Opus', () => {
  it('reorders, conceals exactly the lost packets with PLC, and keeps pitch and level', () => {
    const wire = tonePackets(100, 65500); // crosses the 16-bit sequence wrap
    const dropped = new Set([13, 27, 28, 51, 77, 90]);
    const order: number[] = [];
    for (let i = 0; i < 100; i++) if (!dropped.has(i)) order.push(i);
    // Swap packets two apart here and there (not across a loss, where the sequence distance would exceed the
    // jitter buffer's depth and the early packet would rightly be declared lost).
    let swaps = 0;
    for (let k = 3; k < order.length - 2; k += 7) {
      if (order[k + 2] - order[k] !== 2) continue;
      [order[k], order[k + 2]] = [order[k + 2], order[k]];
      swaps++;
    }
    expect(swaps).toBeGreaterThan(8);
    const { inbound, frames, errors, feed, decoder } = receiver(48000);
    for (const i of order) feed(wire[i]);
    inbound.flush();

    expect(errors).toEqual([]);
    expect(frames.length).toBe(100);
    expect(
      frames.filter((f) => f.info.concealed).map((f) => (f.info.sequenceNumber - 65500) & 0xffff),
    ).toEqual([...dropped]);
    frames.forEach((f, i) => {
      expect(f.info.sequenceNumber).toBe((65500 + i) & 0xffff);
      expect(f.info.timestamp).toBe((1_000_000 + i * 960) >>> 0);
      expect(f.info.concealed).toBe(dropped.has(i));
      expect(f.pcm.length).toBe(960);
      // The frame's place on the stream's timeline: concealed frames take their slot too.
      expect(f.position).toBe(i * 960);
      expect(f.sampleRate).toBe(48000);
    });
    const pcm = concat(frames.map((f) => f.pcm)).subarray(4800);
    expect(dominantFrequency(pcm, 48000)).toBeCloseTo(440, 0);
    expect(Math.abs(rmsDb(pcm) - rmsDb(tone(440, 48000, 1, 0.25)))).toBeLessThan(1.5);
    // Concealed frames continue the tone rather than going silent.
    const plc = concat(frames.filter((f) => f.info.concealed).map((f) => f.pcm));
    expect(rmsDb(plc)).toBeGreaterThan(rmsDb(tone(440, 48000, 1, 0.25)) - 6);
    expect(inbound.jitterStats).toMatchObject({ concealed: 6, late: 0, duplicates: 0 });
    // Every swapped pair made one packet wait (packets behind a loss wait too).
    expect(inbound.jitterStats.reordered).toBeGreaterThanOrEqual(swaps);
    expect(inbound.counters()).toMatchObject({ packetsReceived: 94, packetsLost: 6 });
    decoder.destroy?.();
  });

  it('decodes at the output rate (16 kHz) and conceals an undecodable packet, reporting it', () => {
    const wire = tonePackets(30, 7);
    const { inbound, frames, errors, feed, decoder } = receiver(16000);
    for (let i = 0; i < 30; i++) {
      if (i === 12) {
        // Corrupt packet 12's Opus payload: a TOC byte announcing a frame longer than the packet holds.
        const p = RtpPacket.deSerialize(wire[i]);
        inbound.receive(p.header.sequenceNumber, p.header.timestamp, Uint8Array.of(0xff, 0xff, 0xff));
      } else {
        feed(wire[i]);
      }
    }
    expect(frames.length).toBe(30);
    expect(frames.every((f) => f.pcm.length === 320 && f.sampleRate === 16000)).toBe(true);
    expect(frames.map((f) => f.position)).toEqual(frames.map((_, i) => i * 320));
    expect(errors.length).toBe(1);
    expect(frames[12].info.concealed).toBe(true);
    expect(inbound.decodeErrors).toBe(1);
    expect(dominantFrequency(concat(frames.map((f) => f.pcm)).subarray(1600), 16000)).toBeCloseTo(440, 0);
    decoder.destroy?.();
  });
});
