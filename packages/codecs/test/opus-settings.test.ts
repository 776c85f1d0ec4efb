// The encoder's CPU/quality settings (complexity, coding mode), on real speech, in every backend that loads.
import { alignedSnrDb, dbfs, opusPacketMode, speech } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, OpusDecoder, OpusEncoder, type OpusEncoderOptions } from '../src/index.js';

const SENTENCE = 'Please hold while I connect your call to the next available agent.';

/** Both backends: the workspace installs @discordjs/opus (opus.test.ts fails when it is missing). */
const BACKENDS = ['opusscript', '@discordjs/opus'] as const;

function code(input: Int16Array, options: OpusEncoderOptions) {
  const enc = new OpusEncoder({ sampleRate: 48000, ...options });
  const dec = new OpusDecoder({ sampleRate: 48000, backend: options.backend ?? 'auto' });
  try {
    const packets = [...enc.push(input), ...enc.flush()];
    const out = new Int16Array(packets.length * 960);
    for (const [i, p] of packets.entries()) out.set(dec.decode(p), i * 960);
    // 0.2 s in (past the codec's start-up) to 0.2 s before the end.
    const { snrDb } = alignedSnrDb(input, out, { start: 9600, end: input.length - 9600 });
    const modes = new Set(packets.map(opusPacketMode));
    return { packets, out, snrDb, modes };
  } finally {
    enc.destroy();
    dec.destroy();
  }
}

describe.each(BACKENDS)('Opus encoder settings on speech (%s)', (backend) => {
  const input = speech(SENTENCE, 48000);

  it("'voip' codes speech with SILK, 'restricted-lowdelay' with CELT only; both keep its level", () => {
    const voip = code(input, { backend, application: 'voip' });
    const celt = code(input, { backend, application: 'restricted-lowdelay' });
    expect(voip.modes.has('celt') && voip.modes.size === 1).toBe(false);
    expect([...celt.modes]).toEqual(['celt']);
    for (const { out, snrDb } of [voip, celt]) {
      expect(Math.abs(dbfs(out) - dbfs(input))).toBeLessThan(1.5);
      expect(snrDb).toBeGreaterThan(6);
    }
  });

  it('complexity changes the coding, and the lowest still carries the speech', () => {
    const high = code(input, { backend, complexity: 10 });
    const low = code(input, { backend, complexity: 0 });
    const differs = high.packets.some((p, i) => !p.equals(low.packets[i] as Buffer));
    expect(differs).toBe(true);
    expect(Math.abs(dbfs(low.out) - dbfs(input))).toBeLessThan(1.5);
    expect(low.snrDb).toBeGreaterThan(4);
    expect(high.snrDb).toBeGreaterThan(low.snrDb - 1);
  });

  it('rejects a complexity outside 0..10 and an unknown application with AudioFormatError', () => {
    for (const complexity of [-1, 11, 5.5, Number.NaN]) {
      expect(() => new OpusEncoder({ backend, complexity })).toThrow(AudioFormatError);
    }
    const enc = new OpusEncoder({ backend });
    expect(() => enc.setComplexity(12)).toThrow(/complexity must be an integer in 0..10/);
    enc.setComplexity(3);
    enc.destroy();
    expect(
      () => new OpusEncoder({ backend, application: 'lowdelay' as OpusEncoderOptions['application'] }),
    ).toThrow(/application must be one of voip, audio, restricted-lowdelay/);
  });
});
