import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AudioFormatError } from './errors.js';
import {
  OPUS_APPLICATION,
  OPUS_SET_APPLICATION,
  OPUS_SET_COMPLEXITY,
  type OpusApplication,
} from './opus-ctl.js';
import { OpusScriptCodec } from './opusscript-binding.js';

/** Which Opus implementation an encoder/decoder runs on. */
export type OpusBackendName = 'opusscript' | '@discordjs/opus';

/** The common surface of opusscript and @discordjs/opus that voxwire uses. */
export interface OpusBackend {
  readonly name: OpusBackendName;
  encode(pcm: Buffer, frameSamples: number): Buffer;
  decode(packet: Buffer): Buffer;
  setBitrate(bitrate: number): void;
  setComplexity(complexity: number): void;
  destroy(): void;
}

interface DiscordOpusInstance {
  encode(buffer: Buffer): Buffer;
  decode(buffer: Buffer): Buffer;
  setBitrate(bitrate: number): void;
  applyEncoderCTL(ctl: number, value: number): void;
}
type DiscordOpusCtor = new (rate: number, channels: number) => DiscordOpusInstance;

// Loaded lazily, so importing @voxwire/codecs never loads Opus, and a missing optional peer never breaks it.
const load = createRequire(import.meta.url);
let discord: DiscordOpusCtor | null | undefined;
let discordError = '';

/**
 * The native binding when `@discordjs/opus` is installed and loads, else null. It is looked up from this
 * package first, then from the application's working directory (workspaces and pnpm do not always link an
 * optional peer next to its dependent). A binding that is present but fails to load counts as absent.
 */
export function nativeOpus(): DiscordOpusCtor | null {
  if (discord === undefined) {
    discord = null;
    const errors: { notFound: boolean; message: string }[] = [];
    for (const from of [load, createRequire(join(process.cwd(), 'package.json'))]) {
      try {
        discord = (from('@discordjs/opus') as { OpusEncoder: DiscordOpusCtor }).OpusEncoder;
        break;
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        const notFound =
          (err as { code?: string }).code === 'MODULE_NOT_FOUND' && message.includes("'@discordjs/opus'");
        errors.push({ notFound, message });
      }
    }
    // A binding that was found but did not load says more than the other lookup's "Cannot find module".
    discordError = (errors.find((e) => !e.notFound) ?? errors[0])?.message ?? '';
  }
  return discord;
}

export function createOpusBackend(
  preference: 'auto' | OpusBackendName,
  sampleRate: number,
  channels: number,
  application: OpusApplication,
): OpusBackend {
  const native = preference === 'opusscript' ? null : nativeOpus();
  if (preference === '@discordjs/opus' && !native) {
    throw new AudioFormatError(
      'BACKEND_UNAVAILABLE',
      `@discordjs/opus was requested but is not available: ${discordError}`,
    );
  }
  if (native) {
    const inst = new native(sampleRate, channels);
    inst.applyEncoderCTL(OPUS_SET_APPLICATION, OPUS_APPLICATION[application]);
    return {
      name: '@discordjs/opus',
      encode: (pcm) => inst.encode(pcm),
      decode: (packet) => inst.decode(packet),
      setBitrate: (b) => inst.setBitrate(b),
      setComplexity: (c) => inst.applyEncoderCTL(OPUS_SET_COMPLEXITY, c),
      destroy: () => {},
    };
  }
  return new OpusScriptCodec(sampleRate, channels, OPUS_APPLICATION[application]);
}
