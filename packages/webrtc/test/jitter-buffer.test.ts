import { describe, expect, it } from 'vitest';
import { JitterBuffer, RtpReceiveStats, seqDiff } from '../src/index.js';

interface Out {
  seq: number;
  ts: number;
  payload: number | null;
  duration: number;
}

function collector(options?: ConstructorParameters<typeof JitterBuffer>[1]) {
  const out: Out[] = [];
  const jb = new JitterBuffer((payload, seq, ts, duration) => {
    out.push({ seq, ts, payload: payload ? payload[0] : null, duration });
  }, options);
  // Synthetic packet n: sequence base+n, timestamp 960 per packet, payload byte = n & 0xff.
  const push = (n: number, base = 1000, tsBase = 5000) =>
    jb.push((base + n) & 0xffff, (tsBase + n * 960) >>> 0, Uint8Array.of(n & 0xff));
  return { jb, out, push };
}

describe('JitterBuffer', () => {
  it('passes in-order packets through at once', () => {
    const { jb, out, push } = collector();
    for (let n = 0; n < 5; n++) {
      push(n);
      expect(out.length).toBe(n + 1);
    }
    expect(out.map((o) => o.payload)).toEqual([0, 1, 2, 3, 4]);
    expect(jb.stats).toMatchObject({ played: 5, concealed: 0, late: 0, reordered: 0 });
  });

  it('puts reordered packets back in sequence order without concealing', () => {
    const { jb, out, push } = collector();
    for (const n of [0, 2, 1, 4, 3, 5, 7, 6]) push(n);
    expect(out.map((o) => o.payload)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(out.map((o) => o.ts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => 5000 + n * 960));
    expect(jb.stats.concealed).toBe(0);
    expect(jb.stats.reordered).toBe(3);
  });

  it('declares a missing packet lost once `depth` packets past it arrived, with its timestamp', () => {
    const { jb, out, push } = collector({ depth: 3 });
    for (const n of [0, 1, 3, 4]) push(n);
    expect(out.map((o) => o.payload)).toEqual([0, 1]); // waiting for 2
    push(5);
    expect(out.map((o) => o.payload)).toEqual([0, 1, null, 3, 4, 5]);
    expect(out[2]).toMatchObject({ seq: 1002, ts: 5000 + 2 * 960, duration: 960 });
    expect(jb.stats.concealed).toBe(1);
    push(2); // too late now
    expect(jb.stats.late).toBe(1);
    expect(out.length).toBe(6);
  });

  it('drops and counts duplicates', () => {
    const { jb, out, push } = collector();
    push(0);
    push(2);
    push(2);
    push(1);
    push(1);
    expect(out.map((o) => o.payload)).toEqual([0, 1, 2]);
    expect(jb.stats.duplicates).toBe(1);
    expect(jb.stats.late).toBe(1);
  });

  it('handles sequence-number wrap-around', () => {
    const { out, push } = collector();
    for (const n of [0, 2, 1, 3, 5, 4]) push(n, 65533);
    expect(out.map((o) => o.seq)).toEqual([65533, 65534, 65535, 0, 1, 2]);
    expect(out.map((o) => o.payload)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('flush() plays out what is held, concealing the gaps', () => {
    const { out, push, jb } = collector({ depth: 5 });
    for (const n of [0, 2, 4]) push(n);
    expect(out.length).toBe(1);
    jb.flush();
    expect(out.map((o) => o.payload)).toEqual([0, null, 2, null, 4]);
    expect(jb.pending).toBe(0);
  });

  it('restarts on a jump larger than its capacity instead of concealing thousands of packets', () => {
    const { jb, out, push } = collector({ capacity: 16 });
    push(0);
    push(1);
    push(5000);
    push(5001);
    expect(out.map((o) => o.payload)).toEqual([0, 1, 5000 & 0xff, 5001 & 0xff]);
    expect(jb.stats.restarts).toBe(1);
    expect(jb.stats.concealed).toBe(0);
  });

  it('learns the packet duration from the stream for concealed timestamps', () => {
    const out: Out[] = [];
    const jb = new JitterBuffer(
      (p, seq, ts, duration) => out.push({ seq, ts, payload: p ? p[0] : null, duration }),
      {
        depth: 2,
      },
    );
    // 40 ms packets: timestamp step 1920.
    for (const n of [0, 1, 3, 4]) jb.push(n, n * 1920, Uint8Array.of(n));
    expect(out[2]).toMatchObject({ payload: null, ts: 2 * 1920, duration: 1920 });
  });

  it('keeps order and conceals exactly the dropped packets under random reordering and 10 % loss', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const { jb, out, push } = collector({ depth: 8 });
    const total = 2000;
    const sent: number[] = [];
    for (let n = 0; n < total; n++) if (n === 0 || rand() >= 0.1) sent.push(n);
    const dropped = total - sent.length;
    // Swap non-overlapping pairs two positions apart: no packet is displaced by more than 2 positions.
    for (let i = 1; i < sent.length - 2; i++) {
      if (rand() < 0.3) {
        [sent[i], sent[i + 2]] = [sent[i + 2], sent[i]];
        i += 2;
      }
    }
    for (const n of sent) push(n, 60000);
    jb.flush();
    // Concealment fills up to the last sent packet; anything after it was never expected.
    const last = Math.max(...sent);
    expect(out.length).toBe(last + 1);
    for (let i = 0; i < out.length; i++) expect(out[i].seq).toBe((60000 + i) & 0xffff);
    const concealed = out.filter((o) => o.payload === null).length;
    expect(concealed).toBe(dropped - (total - 1 - last));
    expect(jb.stats.late).toBe(0);
    expect(out.filter((o) => o.payload !== null).every((o, i, a) => i === 0 || o.ts > a[i - 1].ts)).toBe(
      true,
    );
  });

  it('rejects bad options with a typed error', () => {
    expect(() => new JitterBuffer(() => {}, { depth: 0 })).toThrow(/depth/);
    expect(() => new JitterBuffer(() => {}, { depth: 4, capacity: 4 })).toThrow(/capacity/);
  });
});

describe('seqDiff', () => {
  it('is the signed 16-bit distance', () => {
    expect(seqDiff(1, 65535)).toBe(2);
    expect(seqDiff(65535, 1)).toBe(-2);
    expect(seqDiff(100, 100)).toBe(0);
  });
});

describe('RtpReceiveStats', () => {
  it('reports zero jitter for packets that arrive exactly on their timestamps', () => {
    const s = new RtpReceiveStats(48000);
    for (let n = 0; n < 100; n++) s.record(n, n * 960, 80, 1000 + n * 20);
    const c = s.snapshot();
    expect(c.jitterMs).toBeCloseTo(0, 9);
    expect(c).toMatchObject({ packetsReceived: 100, bytesReceived: 8000, packetsLost: 0, fractionLost: 0 });
  });

  it('estimates jitter from alternating transit times (RFC 3550 A.8) and counts loss across wrap-around', () => {
    const s = new RtpReceiveStats(48000);
    // Every other packet arrives 4 ms late: |D| = 4 ms each step, so J converges to 4 ms.
    let received = 0;
    for (let n = 0; n < 400; n++) {
      if (n % 10 === 5) continue; // 10 % loss
      s.record((65000 + n) & 0xffff, (n * 960) >>> 0, 50, n * 20 + (n % 2) * 4);
      received++;
    }
    const c = s.snapshot();
    expect(c.jitterMs).toBeGreaterThan(3.5);
    expect(c.jitterMs).toBeLessThan(4.5);
    expect(c.packetsReceived).toBe(received);
    expect(c.packetsLost).toBe(40);
    expect(c.fractionLost).toBeCloseTo(0.1, 3);
  });
});
