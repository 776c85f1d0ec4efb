import { describe, expect, it } from 'vitest';
import {
  AudioFormatError,
  base64ToBytes,
  base64ToInt16,
  bytesToBase64,
  bytesToInt16,
  int16ToBase64,
  int16ToBytes,
} from '../src/index.js';

describe('bytes ⇄ Int16', () => {
  it('reads little-endian bytes without copying when aligned', () => {
    const bytes = new Uint8Array([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]);
    const pcm = bytesToInt16(bytes);
    expect(Array.from(pcm)).toEqual([1, -1, -32768, 32767]);
    expect(pcm.buffer).toBe(bytes.buffer);
    bytes[0] = 2;
    expect(pcm[0]).toBe(2);
  });

  it('copies when the bytes start at an odd offset', () => {
    const backing = new Uint8Array([9, 0x34, 0x12, 0xcd, 0xab]);
    const pcm = bytesToInt16(backing.subarray(1));
    expect(Array.from(pcm)).toEqual([0x1234, (0xabcd << 16) >> 16]);
    expect(pcm.buffer).not.toBe(backing.buffer);
  });

  it('rejects an odd byte count with AudioFormatError', () => {
    expect(() => bytesToInt16(new Uint8Array(3))).toThrow(AudioFormatError);
    expect(() => bytesToInt16(new Uint8Array(3))).toThrow(/even number of bytes, got 3/);
  });

  it('views samples as bytes over the same memory', () => {
    const pcm = new Int16Array([0x0102, -2]);
    const bytes = int16ToBytes(pcm);
    expect(Array.from(bytes)).toEqual([0x02, 0x01, 0xfe, 0xff]);
    expect(bytes.buffer).toBe(pcm.buffer);
    const sub = int16ToBytes(pcm.subarray(1));
    expect(Array.from(sub)).toEqual([0xfe, 0xff]);
  });
});

describe('base64', () => {
  it('round-trips samples and matches Node base64', () => {
    const pcm = Int16Array.from({ length: 321 }, (_, i) => (i * 997) % 65536);
    const text = int16ToBase64(pcm);
    expect(text).toBe(Buffer.from(pcm.buffer).toString('base64'));
    expect(Array.from(base64ToInt16(text))).toEqual(Array.from(pcm));
  });

  it('round-trips bytes, accepts missing padding', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const text = bytesToBase64(bytes);
    expect(text).toBe('AQIDBAU=');
    expect(Array.from(base64ToBytes(text))).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(base64ToBytes('AQIDBAU'))).toEqual([1, 2, 3, 4, 5]);
    expect(base64ToBytes('').length).toBe(0);
  });

  it('rejects non-base64 text with AudioFormatError instead of skipping characters', () => {
    for (const bad of ['hello world', 'AAA*', 'AQID\nBAU=', 'A', 'AQ==AQ==', 'AQIDB===', '{"a":1}']) {
      expect(() => base64ToBytes(bad), bad).toThrow(AudioFormatError);
    }
    expect(() => base64ToBytes(42 as unknown as string)).toThrow(AudioFormatError);
  });

  it('rejects one foreign character anywhere in a frame-sized payload (URL-safe alphabet included)', () => {
    // A 20 ms μ-law frame's payload; each corruption must throw, never decode to shorter audio.
    const clean = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff)).toString('base64');
    expect(base64ToBytes(clean).length).toBe(160);
    for (const bad of ['-', '_', ' ', '\n', '*', '=', '.', '\u00e9']) {
      for (const at of [0, 1, 2, 3, 101, clean.length - 1]) {
        const text = clean.slice(0, at) + bad + clean.slice(at + 1);
        if (text === clean) continue; // '=' over the padding's last '='
        expect(() => base64ToBytes(text), `${JSON.stringify(bad)} at ${at}`).toThrow(AudioFormatError);
      }
    }
  });

  it('rejects base64 of an odd number of bytes as PCM16', () => {
    expect(() => base64ToInt16('AQID')).toThrow(/even number of bytes, got 3/);
  });
});
