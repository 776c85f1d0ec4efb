// What one idle frame slot costs a peer's sender (nothing queued: the agent is listening): encoding a frame of
// zeros every 20 ms, against resending the settled silence packet (`OutboundAudio`'s `reuseSilenceAfter`).
import { type OpusBackendName, OpusEncoder } from '@voxwire/codecs';
import { tone } from '@voxwire/test-support';
import { OutboundAudio } from '@voxwire/webrtc';
import { bestCpuMicros, type CpuRound } from '../../suite.js';
import { TONE_AMPLITUDE, TONE_HZ } from './protocol.js';

export interface IdleSlotRow {
  name: string;
  usPerSlot: number;
}

function idleSender(backend: OpusBackendName, reuseSilenceAfter: number, spokeBefore: boolean): CpuRound {
  const opus = new OpusEncoder({ sampleRate: 48000, channels: 1, frameMs: 20, application: 'voip', backend });
  const out = new OutboundAudio({
    frameSamples: 960,
    maxQueueSamples: 48000,
    encoder: { encode: (frame) => opus.encode(frame) },
    send: () => {},
    reuseSilenceAfter,
  });
  if (spokeBefore) {
    // One second of the callers' tone first: libopus encodes zeros far more cheaply once it has seen a signal.
    out.write(tone(TONE_HZ, 48000, 48000, TONE_AMPLITUDE));
    for (let i = 0; i < 50; i++) out.slot();
  }
  // Settle, as a call does in its first idle tenth of a second.
  for (let i = 0; i < 20; i++) out.slot();
  return { call: () => out.slot(), close: () => opus.destroy() };
}

/** CPU µs per idle slot, best of 5 interleaved rounds; a backend that does not load here is left out. */
export function measureIdleSlots(): IdleSlotRow[] {
  const tasks: Record<string, () => CpuRound> = {};
  for (const backend of ['opusscript', '@discordjs/opus'] as const) {
    try {
      idleSender(backend, 0, false).close?.();
    } catch {
      continue; // @discordjs/opus not built for this Node
    }
    for (const [when, spoke] of [
      ['before the first audio', false],
      ['after a signal', true],
    ] as const) {
      tasks[`${backend}, ${when}: encode zeros every slot`] = () => idleSender(backend, 0, spoke);
      tasks[`${backend}, ${when}: resend the settled silence packet`] = () => idleSender(backend, 5, spoke);
    }
  }
  return bestCpuMicros(tasks, 500).map(({ name, us }) => ({ name, usPerSlot: us }));
}
