import { describe, expect, it } from 'vitest';
import {
  AudioFormatError,
  audioFrame,
  encodedFrame,
  frameDurationMs,
  frameSamples,
  isEncodedFrame,
  mulaw,
  VoxwireError,
} from '../src/index.js';

describe('audio frames', () => {
  it('builds a PCM frame and reports its length and duration', () => {
    const f = audioFrame(new Int16Array(960), 24000, 2, 4800);
    expect(f).toMatchObject({ sampleRate: 24000, channels: 2, position: 4800 });
    expect(isEncodedFrame(f)).toBe(false);
    expect(frameSamples(f)).toBe(480);
    expect(frameDurationMs(f)).toBe(20);
  });

  it('builds a G.711 frame whose duration follows from its bytes', () => {
    const bytes = new Uint8Array(160);
    mulaw.encode(new Int16Array(160), bytes);
    const f = encodedFrame('pcmu', bytes, { position: 160 });
    expect(isEncodedFrame(f)).toBe(true);
    expect(f).toMatchObject({ codec: 'pcmu', sampleRate: 8000, channels: 1, samples: 160, position: 160 });
    expect(frameDurationMs(f)).toBe(20);
  });

  it('needs a sample count for Opus and refuses impossible formats with INVALID_FORMAT', () => {
    expect(() => encodedFrame('opus', new Uint8Array(40))).toThrow(AudioFormatError);
    expect(encodedFrame('opus', new Uint8Array(40), { samples: 960 }).sampleRate).toBe(48000);
    const bad: Array<() => unknown> = [
      () => audioFrame(new Int16Array(3), 16000, 2),
      () => audioFrame(new Int16Array(2), 0),
      () => audioFrame(new Int16Array(2), 16000.5),
      () => audioFrame(new Int16Array(2), 16000, 0),
      () => audioFrame(new Int16Array(2), 16000, 1, -1),
    ];
    for (const make of bad) {
      expect(make).toThrow(VoxwireError);
      expect(make).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT', name: 'AudioFormatError' }));
    }
  });
});

describe('codec lifecycle', () => {
  it('Opus codecs and transcoders close idempotently, with await using, and refuse use after close', async () => {
    const { OpusEncoder, OpusDecoder, createTranscoder } = await import('../src/index.js');
    const enc = new OpusEncoder({ sampleRate: 48000, channels: 1, backend: 'opusscript' });
    const packet = enc.encode(new Int16Array(960));
    await enc.close();
    await enc.close();
    expect(() => enc.encode(new Int16Array(960))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    {
      await using dec = new OpusDecoder({ sampleRate: 48000, channels: 1, backend: 'opusscript' });
      expect(dec.decode(packet).length).toBe(960);
    }
    const t = createTranscoder({
      from: { encoding: 'pcm16', sampleRate: 48000 },
      to: { encoding: 'opus', sampleRate: 48000 },
    });
    await t.close();
    await t[Symbol.asyncDispose]();
  });
});
