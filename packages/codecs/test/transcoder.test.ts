import { concat as concatParts } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, createTranscoder, mulaw } from '../src/index.js';
import { pitch, rms, toneInt16 } from './audio-helpers.js';

const concat = (parts: Int16Array[]): Int16Array => concatParts(...parts);

describe('createTranscoder', () => {
  it('mu-law 8 kHz → PCM16 24 kHz and back keeps pitch and level, independent of chunking', () => {
    const tone = toneInt16(8000, 440, 0.5, 0.3);
    const codes = mulaw.encode(tone);
    const inbound = createTranscoder({
      from: { encoding: 'mulaw', sampleRate: 8000 },
      to: { encoding: 'pcm16', sampleRate: 24000 },
    });
    // Twilio sends 160-byte frames; cut unevenly to check chunking independence too.
    const parts: Int16Array[] = [];
    for (let pos = 0; pos < codes.length; pos += 137)
      parts.push(inbound.process(codes.subarray(pos, pos + 137)));
    parts.push(inbound.flush());
    const pcm24 = concat(parts);
    expect(pcm24.length).toBe(12000);
    const whole = createTranscoder({
      from: { encoding: 'mulaw', sampleRate: 8000 },
      to: { encoding: 'pcm16', sampleRate: 24000 },
    });
    expect(concat([whole.process(codes), whole.flush()])).toEqual(pcm24);
    expect(pitch(pcm24, 24000, 2400, 9600)).toBeCloseTo(440, 0);
    expect(20 * Math.log10(rms(pcm24, 2400, 9600) / rms(tone, 800, 3200))).toBeCloseTo(0, 0);

    const outbound = createTranscoder({
      from: { encoding: 'pcm16', sampleRate: 24000 },
      to: { encoding: 'mulaw', sampleRate: 8000 },
    });
    const back = mulaw.decode(Uint8Array.from([...outbound.process(pcm24), ...outbound.flush()]));
    expect(back.length).toBe(4000);
    expect(pitch(back, 8000, 800, 3200)).toBeCloseTo(440, 0);
  });

  it('PCM16 any → any rate, fresh output even at equal rates', () => {
    const t = createTranscoder({
      from: { encoding: 'pcm16', sampleRate: 44100 },
      to: { encoding: 'pcm16', sampleRate: 16000 },
    });
    const out = concat([t.process(toneInt16(44100, 1000, 0.3)), t.flush()]);
    expect(out.length).toBe(Math.ceil(0.3 * 16000));
    expect(pitch(out, 16000, 800, 4000)).toBeCloseTo(1000, 0);
    expect(t.delaySamples).toBeGreaterThan(0);
    const same = createTranscoder({
      from: { encoding: 'pcm16', sampleRate: 16000 },
      to: { encoding: 'pcm16', sampleRate: 16000 },
    });
    const input = new Int16Array([1, 2, 3]);
    const copy = same.process(input);
    expect(copy).toEqual(input);
    expect(copy.buffer).not.toBe(input.buffer);
  });

  it('Opus 48 kHz ⇄ PCM16 16 kHz', () => {
    const toOpus = createTranscoder({
      from: { encoding: 'pcm16', sampleRate: 16000 },
      to: { encoding: 'opus', sampleRate: 48000 },
    });
    const tone = toneInt16(16000, 600, 0.5, 0.3);
    const packets = [...toOpus.process(tone), ...toOpus.flush()];
    expect(packets.length).toBe(25);
    const fromOpus = createTranscoder({
      from: { encoding: 'opus', sampleRate: 48000 },
      to: { encoding: 'pcm16', sampleRate: 16000 },
    });
    const pcm = concat([fromOpus.process(packets), fromOpus.flush()]);
    expect(pcm.length).toBe(8000);
    expect(pitch(pcm, 16000, 2000, 6000)).toBeCloseTo(600, 0);
    expect(Math.abs(20 * Math.log10(rms(pcm, 2000, 6000) / rms(tone, 2000, 6000)))).toBeLessThan(1);
    // A lost packet (null) is concealed, not dropped: the stream keeps its length.
    expect(fromOpus.process([packets[3], null, packets[5]]).length).toBeGreaterThan(0);
    toOpus.destroy();
    fromOpus.destroy();
  });

  it('rejects unknown encodings, bad rates, channel mismatches and wrong input types', () => {
    const bad = (o: unknown) => () => createTranscoder(o as Parameters<typeof createTranscoder>[0]);
    expect(
      bad({ from: { encoding: 'mp3', sampleRate: 8000 }, to: { encoding: 'pcm16', sampleRate: 8000 } }),
    ).toThrow(AudioFormatError);
    for (const rate of [0, -1, Number.NaN, 8000.5]) {
      expect(
        bad({ from: { encoding: 'mulaw', sampleRate: rate }, to: { encoding: 'pcm16', sampleRate: 8000 } }),
      ).toThrow(/sampleRate/);
    }
    expect(
      bad({ from: { encoding: 'opus', sampleRate: 44100 }, to: { encoding: 'pcm16', sampleRate: 8000 } }),
    ).toThrow(/Opus/);
    expect(
      bad({
        from: { encoding: 'pcm16', sampleRate: 8000, channels: 2 },
        to: { encoding: 'pcm16', sampleRate: 8000 },
      }),
    ).toThrow(/channel/);
    const t = createTranscoder({
      from: { encoding: 'mulaw', sampleRate: 8000 },
      to: { encoding: 'pcm16', sampleRate: 16000 },
    });
    expect(() => t.process(new Int16Array(4) as unknown as Uint8Array)).toThrow(
      /expects Uint8Array, got Int16Array/,
    );
  });
});
