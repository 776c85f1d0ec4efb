// The frame tracker follows client frame boundaries from headers alone, whatever the frame sizes (7-bit, 16-bit
// and 64-bit lengths) and however TCP splits the bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WsFrameTracker } from '../src/index.js';

function frame(len: number, masked: boolean): Buffer {
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + (masked ? 4 : 0) + len, 0x41);
  out[0] = 0x81;
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  if (masked) out[1] |= 0x80;
  return out;
}

describe('WsFrameTracker', () => {
  it('is on a boundary exactly at the end of each frame, for any split of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.nat(130), fc.integer({ min: 126, max: 70_000 })), fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (frames, cuts) => {
          const parts = frames.map(([len, masked]) => frame(len, masked));
          const ends = new Set<number>();
          let pos = 0;
          for (const p of parts) {
            pos += p.length;
            ends.add(pos);
          }
          const stream = Buffer.concat(parts);
          const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const tracker = new WsFrameTracker();
          let at = 0;
          for (const cut of [...points, stream.length]) {
            if (cut <= at) continue;
            expect(tracker.push(stream.subarray(at, cut))).toBe(ends.has(cut));
            at = cut;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
