// What Opus costs on speech, which is what a voice agent carries, against the echo benchmark's tone: libopus
// codes a steady tone with CELT and speech with SILK or hybrid SILK+CELT in VoIP mode, and the encoder's
// complexity and coding mode are the levers (`opusComplexity`, `opusApplication` of @voxwire/webrtc).
import { type OpusApplication, type OpusBackendName, OpusDecoder, OpusEncoder } from '@voxwire/codecs';
import { alignedSnrDb, opusPacketMode, speech, tone, voicedSpan } from '@voxwire/test-support';
import { bestCpuMicros, type CpuRound } from '../../suite.js';
import { TONE_AMPLITUDE, TONE_HZ } from './protocol.js';

export interface OpusSpeechRow {
  backend: OpusBackendName;
  signal: 'speech' | 'tone';
  application: OpusApplication;
  complexity: number;
  /** CPU µs to decode the far end's packet and encode one frame with these settings. */
  usPerFrame: number;
  kbps: number;
  snrDb: number;
  /** Share of the packets coded SILK / hybrid / CELT, in %. */
  modes: string;
}

const SETTINGS: [OpusApplication, number][] = [
  ['voip', 9],
  ['voip', 5],
  ['restricted-lowdelay', 9],
  ['restricted-lowdelay', 5],
];

function signals(): Record<OpusSpeechRow['signal'], Int16Array> {
  const said = speech(
    'Thanks for calling. I can move your appointment to Thursday at ten, or would Friday morning suit you better?',
    48000,
  );
  const { first, last } = voicedSpan(said);
  const voiced = said.slice(first - (first % 960), last);
  return { speech: voiced, tone: tone(TONE_HZ, 48000, voiced.length, TONE_AMPLITUDE) };
}

function frames(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + 960 <= pcm.length; i += 960) out.push(pcm.subarray(i, i + 960));
  return out;
}

/** The far end's packets: a browser sends VoIP-mode Opus at 32 kbit/s (libwebrtc's default for mono). */
function farEndPackets(pcm: Int16Array, backend: OpusBackendName): Buffer[] {
  const enc = new OpusEncoder({ backend, application: 'voip', bitrate: 32000 });
  const packets = frames(pcm).map((f) => enc.encode(f));
  enc.destroy();
  return packets;
}

/** Bitrate, SNR and modes of the signal coded with these settings alone (no far-end coding before). */
function quality(
  pcm: Int16Array,
  backend: OpusBackendName,
  application: OpusApplication,
  complexity: number,
) {
  const enc = new OpusEncoder({ backend, application, complexity });
  const dec = new OpusDecoder({ backend });
  const packets = frames(pcm).map((f) => enc.encode(f));
  const out = new Int16Array(packets.length * 960);
  for (const [i, p] of packets.entries()) out.set(dec.decode(p), i * 960);
  enc.destroy();
  dec.destroy();
  const bytes = packets.reduce((n, p) => n + p.length, 0);
  const count = (m: string) =>
    Math.round((100 * packets.filter((p) => opusPacketMode(p) === m).length) / packets.length);
  return {
    kbps: (bytes * 8) / (packets.length * 20),
    snrDb: alignedSnrDb(pcm, out, { start: 4800, end: pcm.length - 4800 }).snrDb,
    modes: `${count('silk')} / ${count('hybrid')} / ${count('celt')}`,
  };
}

function echo(pcm: Int16Array, backend: OpusBackendName, application: OpusApplication, complexity: number) {
  const packets = farEndPackets(pcm, backend);
  return (): CpuRound => {
    const dec = new OpusDecoder({ backend });
    const enc = new OpusEncoder({ backend, application, complexity });
    let i = 0;
    return {
      call: () => {
        enc.encode(dec.decode(packets[i] as Buffer));
        i = (i + 1) % packets.length;
      },
      close: () => {
        dec.destroy();
        enc.destroy();
      },
    };
  };
}

/** One row per backend that loads here, signal and setting; CPU is the best of 5 interleaved rounds. */
export function measureOpusOnSpeech(): OpusSpeechRow[] {
  const sig = signals();
  const cases: Omit<OpusSpeechRow, 'usPerFrame' | 'kbps' | 'snrDb' | 'modes'>[] = [];
  for (const backend of ['opusscript', '@discordjs/opus'] as const) {
    try {
      new OpusDecoder({ backend }).destroy();
    } catch {
      continue; // @discordjs/opus not built for this Node
    }
    cases.push({ backend, signal: 'tone', application: 'voip', complexity: 9 });
    for (const [application, complexity] of SETTINGS)
      cases.push({ backend, signal: 'speech', application, complexity });
  }
  const key = (c: (typeof cases)[number]) => `${c.backend}|${c.signal}|${c.application}|${c.complexity}`;
  const tasks = Object.fromEntries(
    cases.map((c) => [key(c), echo(sig[c.signal], c.backend, c.application, c.complexity)]),
  );
  const cpu = new Map(bestCpuMicros(tasks, 300).map(({ name, us }) => [name, us]));
  return cases.map((c) => ({
    ...c,
    usPerFrame: cpu.get(key(c)) ?? Number.NaN,
    ...quality(sig[c.signal], c.backend, c.application, c.complexity),
  }));
}
