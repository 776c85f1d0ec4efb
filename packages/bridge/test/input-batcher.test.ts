// Caller G.711 frames reach the model in 100 ms appends, bytes and order unchanged; PCM is never held back.
import { type AnyFrame, alaw, audioFrame, encodedFrame, isEncodedFrame, mulaw } from '@voxwire/codecs';
import { describe, expect, it } from 'vitest';
import { CallerPcm } from '../src/frames.js';
import { InputBatcher } from '../src/input-batcher.js';

describe('InputBatcher', () => {
  it('gathers 20 ms mu-law frames into 100 ms batches with their bytes and positions unchanged', () => {
    const sent: AnyFrame[] = [];
    const b = new InputBatcher((f) => sent.push(f));
    const bytes = new Uint8Array(160 * 12).map((_, i) => (i * 7) & 0xff);
    for (let i = 0; i < 12; i++) {
      b.push(encodedFrame('pcmu', bytes.slice(i * 160, (i + 1) * 160), { position: i * 160 }));
    }
    expect(sent.map((f) => [f.data.length, f.position])).toEqual([
      [800, 0],
      [800, 800],
    ]);
    // PCM flushes the partial batch first, then goes through as it is.
    const pcm = audioFrame(new Int16Array([1, 2, 3]), 8000, 1, 0);
    b.push(pcm);
    expect(sent).toHaveLength(4);
    expect(sent[2]).toMatchObject({ codec: 'pcmu', position: 1600 });
    expect(sent[3]).toBe(pcm);
    const joined = new Uint8Array(
      sent.slice(0, 3).flatMap((f) => (isEncodedFrame(f) ? Array.from(f.data) : [])),
    );
    expect(joined).toEqual(bytes);
  });
});

describe('InputBatcher batch length', () => {
  it('sends 40 ms batches when asked (two 20 ms Twilio frames each) and refuses a batch out of range', () => {
    const sent: AnyFrame[] = [];
    const b = new InputBatcher((f) => sent.push(f), 40);
    for (let i = 0; i < 5; i++)
      b.push(encodedFrame('pcmu', new Uint8Array(160).fill(i), { position: i * 160 }));
    expect(sent.map((f) => [f.data.length, f.position])).toEqual([
      [320, 0],
      [320, 320],
    ]);
    expect(() => new InputBatcher(() => {}, 0)).toThrow(/1\.\.1000 ms/);
  });
});

describe('CallerPcm', () => {
  it('decodes every G.711 frame into the same buffer, with the frame’s rate and position', () => {
    const pcm = new CallerPcm();
    const codes = new Uint8Array(160).map((_, i) => i);
    const a = pcm.decode(encodedFrame('pcmu', codes, { position: 0 }));
    expect(Array.from(a.data)).toEqual(Array.from(mulaw.decode(codes)));
    const b = pcm.decode(encodedFrame('pcma', codes.slice().reverse(), { position: 160 }));
    expect(b.data.buffer).toBe(a.data.buffer);
    expect(b.position).toBe(160);
    expect(Array.from(b.data)).toEqual(Array.from(alaw.decode(codes.slice().reverse())));
    const frame = audioFrame(new Int16Array(4), 16000);
    expect(pcm.decode(frame)).toBe(frame);
  });
});
