// @discordjs/opus as its own users call it (no voxwire binding in between), for the benchmark's native rows.
import { createRequire } from 'node:module';

/** One @discordjs/opus object: a libopus encoder and decoder pair. */
export interface DiscordOpus {
  encode(pcm: Buffer): Buffer;
  decode(packet: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
}

const OPUS_SET_APPLICATION = 4000;
const OPUS_APPLICATION_VOIP = 2048;

/**
 * A mono 48 kHz @discordjs/opus codec in VoIP mode (as opusscript and our peers are), or null when the binding is
 * not built for this Node (its binary is per Node ABI).
 */
export function nativeVoipOpus(): DiscordOpus | null {
  let OpusEncoder: new (rate: number, channels: number) => DiscordOpus;
  try {
    ({ OpusEncoder } = createRequire(import.meta.url)('@discordjs/opus'));
  } catch {
    return null;
  }
  const codec = new OpusEncoder(48000, 1);
  codec.applyEncoderCTL(OPUS_SET_APPLICATION, OPUS_APPLICATION_VOIP);
  return codec;
}
