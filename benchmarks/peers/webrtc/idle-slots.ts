// What one idle frame slot costs a peer's sender (nothing queued: the agent is listening): encoding a frame of
// zeros every 20 ms, against resending the settled silence packet (`OutboundAudio`'s `reuseSilenceAfter`).
import { type OpusBackendName, OpusEncoder } from '@voxwire/codecs';
import { OutboundAudio } from '@voxwire/webrtc';

export interface IdleSlotRow {
  name: string;
  usPerSlot: number;
}

function idleSender(
  backend: OpusBackendName,
  reuseSilenceAfter: number,
  spokeBefore: boolean,
): { slot(): void; close(): void } {
  const opus = new OpusEncoder({ sampleRate: 48000, channels: 1, frameMs: 20, application: 'voip', backend });
  const out = new OutboundAudio({
    frameSamples: 960,
    maxQueueSamples: 48000,
    encoder: { encode: (frame) => opus.encode(frame) },
    send: () => {},
    reuseSilenceAfter,
  });
  if (spokeBefore) {
    // One second of a 440 Hz tone first: libopus encodes zeros far more cheaply once it has seen a signal.
    const pcm = new Int16Array(48000);
    for (let i = 0; i < pcm.length; i++)
      pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    out.write(pcm);
    for (let i = 0; i < 50; i++) out.slot();
  }
  // Settle, as a call does in its first idle tenth of a second.
  for (let i = 0; i < 20; i++) out.slot();
  return { slot: () => out.slot(), close: () => opus.destroy() };
}

/** CPU µs per idle slot, best of 5 interleaved rounds; a backend that does not load here is left out. */
export function measureIdleSlots(): IdleSlotRow[] {
  const cases: [string, () => { slot(): void; close(): void }][] = [];
  for (const backend of ['opusscript', '@discordjs/opus'] as const) {
    try {
      idleSender(backend, 0, false).close();
    } catch {
      continue; // @discordjs/opus not built for this Node
    }
    for (const [when, spoke] of [
      ['before the first audio', false],
      ['after speech', true],
    ] as const) {
      cases.push(
        [`${backend}, ${when}: encode zeros every slot`, () => idleSender(backend, 0, spoke)],
        [`${backend}, ${when}: resend the settled silence packet`, () => idleSender(backend, 5, spoke)],
      );
    }
  }
  const best = new Map<string, number>();
  for (let round = 0; round < 5; round++) {
    for (const [name, make] of cases) {
      const sender = make();
      const c0 = process.cpuUsage();
      for (let i = 0; i < 500; i++) sender.slot();
      const c = process.cpuUsage(c0);
      sender.close();
      best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, (c.user + c.system) / 500));
    }
  }
  return [...best].map(([name, usPerSlot]) => ({ name, usPerSlot }));
}
