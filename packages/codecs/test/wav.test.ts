import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFormatError, alaw, mulaw, wav } from '../src/index.js';
import { pitch, toneInt16 } from './audio-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'voxwire-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sox(...args: string[]): string {
  return execFileSync('sox', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('wav.write / wav.read', () => {
  const pcm = toneInt16(16000, 440, 0.1, 0.5, 2);

  it('round-trips PCM16, float32, mu-law and A-law', () => {
    const back = wav.read(wav.write({ sampleRate: 16000, channels: 2, data: pcm }));
    expect(back).toMatchObject({ encoding: 'pcm16', sampleRate: 16000, channels: 2 });
    expect(back.data).toEqual(pcm);

    const float = Float32Array.from(pcm, (v) => v / 32768);
    const f = wav.read(wav.write({ sampleRate: 16000, channels: 2, data: float }));
    expect(f.encoding).toBe('float32');
    expect(f.data).toEqual(float);

    for (const [encoding, law] of [
      ['mulaw', mulaw],
      ['alaw', alaw],
    ] as const) {
      const codes = law.encode(pcm);
      const g = wav.read(wav.write({ sampleRate: 8000, channels: 1, data: codes, encoding }));
      expect(g).toMatchObject({ encoding, sampleRate: 8000, channels: 1 });
      expect(g.data).toEqual(codes);
    }
  });

  it('writes files sox reads with the right format, and reads files sox writes', () => {
    const file = join(dir, 'ours.wav');
    writeFileSync(
      file,
      wav.write({
        sampleRate: 8000,
        channels: 1,
        data: mulaw.encode(toneInt16(8000, 500, 0.5)),
        encoding: 'mulaw',
      }),
    );
    const info = sox('--i', file);
    expect(info).toMatch(/Sample Rate\s+: 8000/);
    expect(info).toMatch(/u-law/);
    expect(info).toMatch(/Duration\s+: 00:00:00.50 = 4000 samples/);

    for (const [encoding, soxEncoding, bits] of [
      ['pcm16', 'signed-integer', '16'],
      ['float32', 'floating-point', '32'],
      ['mulaw', 'u-law', '8'],
      ['alaw', 'a-law', '8'],
    ] as const) {
      const theirs = join(dir, `sox-${encoding}.wav`);
      sox(
        '-n',
        '-r',
        '24000',
        '-c',
        '1',
        '-e',
        soxEncoding,
        '-b',
        bits,
        theirs,
        'synth',
        '0.25',
        'sine',
        '700',
      );
      const audio = wav.read(readFileSync(theirs));
      expect(audio).toMatchObject({ encoding, sampleRate: 24000, channels: 1 });
      const asPcm =
        audio.encoding === 'pcm16'
          ? audio.data
          : audio.encoding === 'float32'
            ? Int16Array.from(audio.data, (v) => Math.round(v * 32767))
            : (audio.encoding === 'mulaw' ? mulaw : alaw).decode(audio.data);
      expect(asPcm.length).toBe(6000);
      expect(pitch(asPcm, 24000)).toBeCloseTo(700, 0);
    }
  });

  it('skips LIST and odd-sized chunks', () => {
    const plain = wav.write({ sampleRate: 8000, channels: 1, data: new Int16Array([1, -2, 3]) });
    const list = Buffer.concat([
      Buffer.from('LIST'),
      Buffer.from([5, 0, 0, 0]),
      Buffer.from('INFOx'),
      Buffer.from([0]),
    ]);
    const odd = Buffer.concat([Buffer.from('junk'), Buffer.from([1, 0, 0, 0, 0x42, 0])]);
    // Insert between 'fmt ' (ends at 36) and 'data'.
    const file = Buffer.concat([plain.subarray(0, 36), list, odd, plain.subarray(36)]);
    file.writeUInt32LE(file.length - 8, 4);
    expect(Array.from(wav.read(file).data)).toEqual([1, -2, 3]);
  });

  describe('bad files', () => {
    const good = wav.write({ sampleRate: 8000, channels: 1, data: new Int16Array(100) });
    const cases: [string, () => Buffer, RegExp][] = [
      ['too short', () => Buffer.from('RIFF'), /too short/],
      ['not RIFF', () => Buffer.from('ID3\u0004 this is an mp3 file'), /not a RIFF\/WAVE/],
      ['truncated data', () => good.subarray(0, 100), /truncated/],
      [
        'data chunk lying about its size',
        () => {
          const b = Buffer.from(good);
          b.writeUInt32LE(1_000_000, 40);
          return b;
        },
        /'data' chunk declares 1000000 bytes but only 200 remain/,
      ],
      [
        'blockAlign inconsistent with the format',
        () => {
          const b = Buffer.from(good);
          b.writeUInt16LE(4, 32);
          return b;
        },
        /blockAlign 4/,
      ],
      [
        'partial sample frame',
        () => {
          const b = Buffer.concat([good, Buffer.from([0])]);
          b.writeUInt32LE(201, 40);
          b.writeUInt32LE(b.length - 8, 4);
          return b;
        },
        /not a whole number of 2-byte sample frames/,
      ],
      [
        'unsupported 8-bit PCM',
        () => {
          const b = Buffer.from(good);
          b.writeUInt16LE(8, 34);
          b.writeUInt16LE(1, 32);
          return b;
        },
        /unsupported format tag 1 with 8 bits/,
      ],
      ['no data chunk', () => Buffer.from(good.subarray(0, 36)).fill(0, 4, 8), /no 'data' chunk/],
    ];
    it.each(cases)('rejects %s with AudioFormatError', (_name, make, message) => {
      expect(() => wav.read(make())).toThrow(AudioFormatError);
      expect(() => wav.read(make())).toThrow(message);
    });

    it('rejects inconsistent write input', () => {
      expect(() => wav.write({ sampleRate: 0, channels: 1, data: new Int16Array(2) })).toThrow(
        AudioFormatError,
      );
      expect(() => wav.write({ sampleRate: 8000, channels: 2, data: new Int16Array(3) })).toThrow(
        /whole number/,
      );
      expect(() =>
        wav.write({ sampleRate: 8000, channels: 1, data: new Uint8Array(3) } as unknown as Parameters<
          typeof wav.write
        >[0]),
      ).toThrow(/mulaw/);
    });
  });
});
