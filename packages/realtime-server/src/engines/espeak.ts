import { cpus } from 'node:os';
import { bytesToInt16 } from '@voxwire/codecs';
import { FormantSynthesizer } from './formant.js';
import { ConcurrencyLimit, commandExists, runProcess } from './process.js';
import type { PcmAudio, Synthesizer } from './types.js';

/** espeak-ng voice for each OpenAI voice name, so sessions that pick different voices sound different. */
const VOICE_MAP: Record<string, string> = {
  alloy: 'en-us+f3',
  ash: 'en-us+m3',
  ballad: 'en-gb+m1',
  coral: 'en-us+f2',
  echo: 'en-us+m1',
  sage: 'en-us+f4',
  shimmer: 'en-us+f1',
  verse: 'en-us+m2',
  marin: 'en-us+f5',
  cedar: 'en-us+m4',
};

/** Options of {@link EspeakSynthesizer}. */
export interface EspeakSynthesizerOptions {
  /** Executable, default `espeak-ng`. */
  command?: string;
  /** Words per minute at speed 1 (espeak's default is 175). */
  wordsPerMinute?: number;
  /** Used when the executable is missing or fails; default a {@link FormantSynthesizer}. */
  fallback?: Synthesizer;
  /** Synthesised utterances kept for reuse (same text, voice and speed); 0 disables. Default 64. */
  cacheSize?: number;
  /**
   * espeak-ng processes running at once; default the number of CPUs. Spawning blocks the event loop
   * briefly, so a hundred sessions answering together must not start a hundred processes at once.
   */
  concurrency?: number;
}

/**
 * Speech from the `espeak-ng` command (Debian package `espeak-ng`), read from its WAV output on stdout.
 * When espeak-ng is absent or fails, it speaks with the fallback voice instead of failing the response.
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly name = 'espeak-ng';
  private readonly command: string;
  private readonly wpm: number;
  private readonly fallback: Synthesizer;
  private readonly cache = new Map<string, PcmAudio>();
  /** Requests for the same utterance made while it is being synthesised share one process. */
  private readonly inflight = new Map<string, Promise<PcmAudio>>();
  private readonly limit: ConcurrencyLimit;
  private readonly cacheSize: number;
  private available: boolean;

  constructor(options: EspeakSynthesizerOptions = {}) {
    this.command = options.command ?? 'espeak-ng';
    this.wpm = options.wordsPerMinute ?? 175;
    this.fallback = options.fallback ?? new FormantSynthesizer();
    this.cacheSize = options.cacheSize ?? 64;
    this.available = commandExists(this.command);
    this.limit = new ConcurrencyLimit(options.concurrency ?? cpus().length);
  }

  /** Whether espeak-ng was found (otherwise the fallback speaks). */
  get usesEspeak(): boolean {
    return this.available;
  }

  async synthesize(
    text: string,
    options: { voice: string; speed: number; signal: AbortSignal },
  ): Promise<PcmAudio> {
    if (!this.available) return this.fallback.synthesize(text, options);
    const voice =
      VOICE_MAP[options.voice] ??
      (/^[a-z]{2,3}(-[a-z0-9-]+)?(\+[a-zA-Z0-9_-]+)?$/.test(options.voice) ? options.voice : 'en-us');
    const wpm = Math.round(Math.min(450, Math.max(80, this.wpm * options.speed)));
    const key = `${voice}|${wpm}|${text}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    let job = this.inflight.get(key);
    if (!job) {
      // Not tied to one caller's abort signal: other sessions may be waiting for the same utterance, and
      // one run is short. `--` keeps text starting with '-' from being read as an option.
      job = this.limit
        .run(() => runProcess(this.command, ['-v', voice, '-s', String(wpm), '--stdout', '--', text]))
        .then(({ stdout }) => {
          const result = readStreamingWav(stdout);
          if (this.cacheSize > 0) {
            this.cache.set(key, result);
            if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
          }
          return result;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, job);
    }
    try {
      const result = await job;
      if (options.signal.aborted) throw new Error('synthesis aborted');
      return result;
    } catch (err) {
      if (options.signal.aborted) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.available = false;
      return this.fallback.synthesize(text, options);
    }
  }
}

/**
 * Reads the 16-bit mono WAV espeak-ng streams to stdout. Its RIFF and data sizes are placeholders
 * (0x7ffff000) because it writes the header before it knows the length, so a strict WAV reader would call
 * the file truncated: take every byte after the `data` chunk header instead.
 */
export function readStreamingWav(bytes: Buffer): PcmAudio {
  if (
    bytes.length < 12 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new Error('espeak-ng did not produce a WAV stream');
  }
  let offset = 12;
  let sampleRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      const format = bytes.readUInt16LE(offset + 8);
      const channels = bytes.readUInt16LE(offset + 10);
      const bits = bytes.readUInt16LE(offset + 22);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new Error(
          `espeak-ng WAV is format ${format}, ${channels} channels, ${bits} bits; expected 16-bit mono PCM`,
        );
      }
      sampleRate = bytes.readUInt32LE(offset + 12);
    } else if (id === 'data') {
      if (!sampleRate) throw new Error('espeak-ng WAV has no fmt chunk before its data');
      const start = offset + 8;
      const end = start + Math.floor(Math.min(size, bytes.length - start) / 2) * 2;
      // Copy into an aligned buffer: the data may start at an odd offset inside the child's stdout chunk.
      const data = new Uint8Array(end - start);
      data.set(bytes.subarray(start, end));
      const pcm = bytesToInt16(data);
      return { pcm, sampleRate };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error('espeak-ng WAV has no data chunk');
}
