import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, OpusDecoder, OpusEncoder } from '../src/index.js';
import { pitch, rms, toneInt16 } from './audio-helpers.js';

function roundTrip(
  rate: number,
  channels: number,
  frameMs: number,
  application: 'voip' | 'audio',
  freq: number,
) {
  const enc = new OpusEncoder({ sampleRate: rate, channels, frameMs, application, bitrate: 48000 });
  const dec = new OpusDecoder({ sampleRate: rate, channels });
  try {
    const input = toneInt16(rate, freq, 0.6, 0.3, channels);
    const packets = [...enc.push(input), ...enc.flush()];
    const decoded = packets.map((p) => dec.decode(p));
    const out = new Int16Array(decoded.reduce((n, d) => n + d.length, 0));
    let pos = 0;
    for (const d of decoded) {
      out.set(d, pos);
      pos += d.length;
    }
    return { enc, packets, input, out };
  } finally {
    enc.destroy();
    dec.destroy();
  }
}

describe('Opus', () => {
  it.each([
    [48000, 1, 20, 'voip', 440],
    [48000, 2, 10, 'audio', 1000],
    [24000, 1, 40, 'voip', 300],
    [16000, 1, 60, 'audio', 700],
    [8000, 1, 20, 'voip', 500],
  ] as const)(
    '%i Hz ×%i, %i ms frames (%s): decoded tone keeps pitch and level',
    (rate, ch, ms, app, freq) => {
      const { enc, packets, input, out } = roundTrip(rate, ch, ms, app, freq);
      expect(enc.frameSamples).toBe((rate * ms) / 1000);
      expect(packets.length).toBe(Math.ceil((0.6 * 1000) / ms));
      expect(out.length).toBe(packets.length * enc.frameSamples * ch);
      // Skip the codec's start-up (and its few ms of delay); measure 0.3 s of steady state.
      const start = Math.round(rate * 0.15);
      const end = Math.round(rate * 0.45);
      for (let c = 0; c < ch; c++) {
        expect(pitch(out, rate, start, end, ch)).toBeCloseTo(freq, -0.5);
        const levelDb = 20 * Math.log10(rms(out, start, end, ch, c) / rms(input, start, end, ch, c));
        expect(Math.abs(levelDb)).toBeLessThan(1);
      }
    },
  );

  it('conceals a lost packet with one frame that continues the tone', () => {
    const enc = new OpusEncoder({ sampleRate: 48000, frameMs: 20 });
    const dec = new OpusDecoder({ sampleRate: 48000 });
    const packets = enc.push(toneInt16(48000, 440, 0.4));
    for (const p of packets.slice(0, 10)) dec.decode(p);
    const concealed = dec.decode(null);
    expect(concealed.length).toBe(960);
    expect(rms(concealed)).toBeGreaterThan(0.05);
    expect(dec.decode(new Uint8Array(0)).length).toBe(960);
    const after = dec.decode(packets[12]);
    expect(after.length).toBe(960);
    enc.destroy();
    dec.destroy();
  });

  it('reports a corrupt packet as AudioFormatError and keeps decoding', () => {
    const enc = new OpusEncoder();
    const dec = new OpusDecoder();
    expect(() => dec.decode(new Uint8Array([0x03, 0x00]))).toThrow(AudioFormatError);
    const [p] = enc.push(toneInt16(48000, 440, 0.02));
    expect(dec.decode(p).length).toBe(960);
    enc.destroy();
    dec.destroy();
  });

  it('rejects unsupported rates, channels, frame sizes, bitrates and frame lengths', () => {
    for (const sampleRate of [44100, 0, -8000, Number.NaN, 48000.5]) {
      expect(() => new OpusEncoder({ sampleRate })).toThrow(AudioFormatError);
      expect(() => new OpusDecoder({ sampleRate })).toThrow(AudioFormatError);
    }
    expect(() => new OpusEncoder({ channels: 3 })).toThrow(/channels/);
    expect(() => new OpusEncoder({ frameMs: 25 })).toThrow(/frame duration/);
    expect(() => new OpusEncoder({ bitrate: Number.NaN })).toThrow(/bitrate/);
    const enc = new OpusEncoder();
    expect(() => enc.encode(new Int16Array(961))).toThrow(/960 Int16 samples/);
    enc.destroy();
  });
});

describe('Opus backend selection', () => {
  it('uses opusscript when asked, and @discordjs/opus by default where it is installed', () => {
    const script = new OpusEncoder({ backend: 'opusscript' });
    expect(script.backend).toBe('opusscript');
    script.destroy();
    // The workspace installs @discordjs/opus (an optional dependency of the benchmarks; npm test builds it for
    // each Node it runs). Without it the native backend would go untested, so its absence fails here.
    const native = new OpusEncoder({ backend: '@discordjs/opus' });
    expect(native.backend).toBe('@discordjs/opus');
    // The native backend interoperates with opusscript packets.
    const dec = new OpusDecoder({ backend: 'opusscript' });
    const [packet] = native.push(toneInt16(48000, 440, 0.02));
    expect(dec.decode(packet).length).toBe(960);
    dec.destroy();
    native.destroy();
    const auto = new OpusEncoder();
    expect(auto.backend).toBe('@discordjs/opus');
    auto.destroy();
    expect(() => new OpusEncoder({ backend: 'libopus' as 'opusscript' })).toThrow(AudioFormatError);
  });
  /** The fixture's report: the codecs in their own process where @discordjs/opus is `mode` (see the fixture). */
  function withoutNativeOpus(mode: 'missing' | 'broken') {
    const fixture = fileURLToPath(new URL('fixtures/without-native-opus.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [fixture, mode], { encoding: 'utf8' });
    return JSON.parse(out) as { auto: string; decoded: number; refused?: { code?: string; message: string } };
  }
  it('falls back to opusscript where @discordjs/opus is not installed, and says so when it is asked for', () => {
    const result = withoutNativeOpus('missing');
    expect(result.auto).toBe('opusscript');
    expect(result.decoded).toBe(960);
    expect(result.refused?.code).toBe('BACKEND_UNAVAILABLE');
    expect(result.refused?.message).toMatch(
      /@discordjs\/opus was requested but is not available: Cannot find module '@discordjs\/opus'/,
    );
  });
  it('where @discordjs/opus is installed but does not load, falls back and names the load error', () => {
    // The codecs look it up from themselves, then from the working directory: the second lookup's "Cannot
    // find module" must not hide why the first one's binding failed.
    const result = withoutNativeOpus('broken');
    expect(result.auto).toBe('opusscript');
    expect(result.decoded).toBe(960);
    expect(result.refused?.code).toBe('BACKEND_UNAVAILABLE');
    expect(result.refused?.message).toBe(
      '@discordjs/opus was requested but is not available: opus.node was compiled against a different Node.js version',
    );
  });
  it('keeps many opusscript encoders and decoders in one process apart, created and freed in any order', () => {
    // opusscript's own wrapper writes PCM at twice the address it allocated, over its neighbours' state:
    // the third or fourth live pair used to fail ("Encode error: Bad argument") or trap on delete.
    const frame = 960;
    const live: { enc: OpusEncoder; dec: OpusDecoder; freq: number; out: Int16Array[] }[] = [];
    const checked: number[] = [];
    const codeFrame = (p: (typeof live)[number]) => {
      const n = p.out.length;
      const tone = toneInt16(48000, p.freq, ((n + 1) * frame) / 48000, 0.3).subarray(n * frame);
      p.out.push(p.dec.decode(p.enc.encode(tone)));
    };
    const check = (p: (typeof live)[number]) => {
      const all = new Int16Array(p.out.reduce((n, d) => n + d.length, 0));
      let pos = 0;
      for (const d of p.out) {
        all.set(d, pos);
        pos += d.length;
      }
      // Skip the codec's start-up; the rest must be this pair's own tone at its level.
      expect(pitch(all, 48000, 4 * frame)).toBeCloseTo(p.freq, -1);
      expect(rms(all, 4 * frame)).toBeGreaterThan(0.8 * 0.3 * Math.SQRT1_2); // within 2 dB of the input
      checked.push(p.freq);
    };
    for (let k = 0; k < 24; k++) {
      const freq = 300 + 40 * k;
      live.push({
        enc: new OpusEncoder({ backend: 'opusscript', application: 'voip', bitrate: 48000 }),
        dec: new OpusDecoder({ backend: 'opusscript' }),
        freq,
        out: [],
      });
      // Every live pair codes frames of its own tone in turn, interleaved with the others.
      for (let f = 0; f < 3; f++) for (const p of live) codeFrame(p);
      // Free the oldest pair every third step, so new pairs reuse freed memory.
      if (k % 3 === 2) {
        const p = live.shift() as (typeof live)[number];
        check(p);
        p.enc.destroy();
        p.dec.destroy();
      }
    }
    for (const p of live) while (p.out.length < 12) codeFrame(p);
    for (const p of live) {
      check(p);
      p.enc.destroy();
      p.dec.destroy();
    }
    expect(checked).toHaveLength(24);
    const enc = new OpusEncoder({ backend: 'opusscript' });
    enc.destroy();
    enc.destroy(); // twice is harmless
    expect(() => enc.encode(new Int16Array(frame))).toThrow(/after destroy/);
  });
});
