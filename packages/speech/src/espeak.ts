import { cpus } from 'node:os';
import { type AudioFrame, audioFrame, bytesToInt16 } from '@voxwire/codecs';
import { SynthesisError } from './errors.js';
import { FormantSynthesizer } from './formant.js';
import { ConcurrencyLimit, commandExists, runProcess } from './process.js';
import {
  checkTextLength,
  collectPieces,
  DEFAULT_MAX_CHUNK_LENGTH,
  DEFAULT_MAX_TEXT_LENGTH,
  positioned,
  splitForSynthesis,
  throwIfAborted,
} from './synthesis-limits.js';
import type { SynthesisOptions, Synthesizer } from './types.js';

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
  /** Used when the executable is missing or fails on a piece; default a {@link FormantSynthesizer}. */
  fallback?: Synthesizer;
  /** Synthesised pieces kept for reuse (same text, voice and speed); 0 disables. Default 64. */
  cacheSize?: number;
  /**
   * espeak-ng processes running at once; default the number of CPUs. Spawning blocks the event loop
   * briefly, so a hundred sessions answering together must not start a hundred processes at once.
   */
  concurrency?: number;
  /** Longest text one synthesis accepts (code units); longer is refused with `TEXT_TOO_LONG`. Default 10 000. */
  maxTextLength?: number;
  /** Longest piece one espeak-ng process gets (it is given the text as an argument). Default 400. */
  maxChunkLength?: number;
  /** espeak-ng runs allowed to wait for a free process slot; one more is refused with `QUEUE_FULL`. Default 256. */
  maxQueued?: number;
}

/** One espeak-ng run shared by every caller asking for the same piece at once. */
interface SharedRun {
  readonly result: Promise<AudioFrame>;
  readonly controller: AbortController;
  /** Callers still waiting; the process is killed when the last one leaves. */
  waiters: number;
}

/**
 * Speech from the `espeak-ng` command (Debian package `espeak-ng`), read from its WAV output on stdout.
 * Text is spoken sentence by sentence ({@link EspeakSynthesizer.stream}): each piece of at most
 * `maxChunkLength` characters is one process, so no argument is ever too long and the first audio is ready
 * after the first sentence. A caller's abort signal kills its process (or takes it out of the queue).
 * When espeak-ng is absent or fails on a piece, that piece is spoken by the fallback voice.
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly name = 'espeak-ng';
  private readonly command: string;
  private readonly wpm: number;
  private readonly fallback: Synthesizer;
  private readonly cache = new Map<string, AudioFrame>();
  private readonly inflight = new Map<string, SharedRun>();
  private readonly limit: ConcurrencyLimit;
  private readonly cacheSize: number;
  private readonly maxTextLength: number;
  private readonly maxChunkLength: number;
  private available: boolean;

  constructor(options: EspeakSynthesizerOptions = {}) {
    this.command = options.command ?? 'espeak-ng';
    this.wpm = options.wordsPerMinute ?? 175;
    this.fallback = options.fallback ?? new FormantSynthesizer();
    this.cacheSize = options.cacheSize ?? 64;
    this.maxTextLength = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
    this.maxChunkLength = options.maxChunkLength ?? DEFAULT_MAX_CHUNK_LENGTH;
    this.available = commandExists(this.command);
    const maxQueued = options.maxQueued ?? 256;
    this.limit = new ConcurrencyLimit(options.concurrency ?? cpus().length, {
      maxWaiting: maxQueued,
      full: (n) =>
        new SynthesisError(
          'QUEUE_FULL',
          `${n} espeak-ng runs are already waiting for a process slot (option maxQueued)`,
        ),
      aborted: () => new SynthesisError('ABORTED', 'synthesis aborted'),
    });
  }

  /** Whether espeak-ng was found (otherwise the fallback speaks). */
  get usesEspeak(): boolean {
    return this.available;
  }

  /** espeak-ng processes running now (for tests and health reports). */
  get running(): number {
    return this.limit.active;
  }

  /** espeak-ng runs waiting for a process slot. */
  get queued(): number {
    return this.limit.queued;
  }

  async synthesize(text: string, options: SynthesisOptions): Promise<AudioFrame> {
    return collectPieces(this.stream(text, options), 22050);
  }

  /** Speaks `text` piece by piece (see the class description); each piece is yielded when ready. */
  stream(text: string, options: SynthesisOptions): AsyncGenerator<AudioFrame> {
    return positioned(this.pieces(text, options));
  }

  private async *pieces(text: string, options: SynthesisOptions): AsyncGenerator<AudioFrame> {
    checkTextLength(text, this.maxTextLength);
    throwIfAborted(options.signal);
    const voice =
      VOICE_MAP[options.voice] ??
      (options.voice.length <= 64 && /^[a-z]{2,3}(-[a-z0-9-]+)?(\+[a-zA-Z0-9_-]+)?$/.test(options.voice)
        ? options.voice
        : 'en-us');
    const wpm = Math.round(Math.min(450, Math.max(80, this.wpm * options.speed)));
    for (const piece of splitForSynthesis(text, this.maxChunkLength)) {
      throwIfAborted(options.signal);
      yield await this.piece(piece, voice, wpm, options);
    }
  }

  private async piece(
    text: string,
    voice: string,
    wpm: number,
    options: SynthesisOptions,
  ): Promise<AudioFrame> {
    if (!this.available) return this.fallback.synthesize(text, options);
    const key = `${voice}|${wpm}|${text}`;
    const cached = this.cache.get(key);
    if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    try {
      return await this.join(key, voice, wpm, text, options.signal);
    } catch (err) {
      // Limits and aborts go to the caller; a failed or missing espeak-ng falls back to the other voice.
      if (options.signal.aborted || (err instanceof SynthesisError && err.code !== 'PROCESS_FAILED'))
        throw err;
      if (((err as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
        this.available = false;
      return this.fallback.synthesize(text, options);
    }
  }

  /** Waits for the shared run of this piece (starting it if needed); leaving kills it when nobody else waits. */
  private join(
    key: string,
    voice: string,
    wpm: number,
    text: string,
    signal: AbortSignal,
  ): Promise<AudioFrame> {
    let run = this.inflight.get(key);
    if (!run) {
      const controller = new AbortController();
      // `--` keeps text starting with '-' from being read as an option.
      const result = this.limit
        .run(
          () =>
            runProcess(this.command, ['-v', voice, '-s', String(wpm), '--stdout', '--', text], {
              signal: controller.signal,
              fail: (code, message, cause) => new SynthesisError(code, message, { cause }),
            }),
          controller.signal,
        )
        .then(({ stdout }) => {
          const frame = readStreamingWav(stdout);
          if (this.cacheSize > 0) {
            this.cache.set(key, frame);
            if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
          }
          return frame;
        })
        .finally(() => {
          if (this.inflight.get(key) === run) this.inflight.delete(key);
        });
      result.catch(() => {});
      run = { result, controller, waiters: 0 };
      this.inflight.set(key, run);
    }
    const shared = run;
    shared.waiters++;
    return new Promise<AudioFrame>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return false;
        left = true;
        signal.removeEventListener('abort', onAbort);
        shared.waiters--;
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (shared.waiters === 0) {
          shared.controller.abort();
          if (this.inflight.get(key) === shared) this.inflight.delete(key);
        }
        reject(new SynthesisError('ABORTED', 'synthesis aborted'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      shared.result.then(
        (pcm) => {
          if (leave()) resolve(pcm);
        },
        (err: unknown) => {
          if (leave()) reject(err);
        },
      );
    });
  }
}

/**
 * Reads the 16-bit mono WAV espeak-ng streams to stdout. Its RIFF and data sizes are placeholders
 * (0x7ffff000) because it writes the header before it knows the length, so a strict WAV reader would call
 * the file truncated: take every byte after the `data` chunk header instead.
 */
export function readStreamingWav(bytes: Buffer): AudioFrame {
  if (
    bytes.length < 12 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new SynthesisError('INVALID_OUTPUT', 'espeak-ng did not produce a WAV stream');
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
        throw new SynthesisError(
          'INVALID_OUTPUT',
          `espeak-ng WAV is format ${format}, ${channels} channels, ${bits} bits; expected 16-bit mono PCM`,
        );
      }
      sampleRate = bytes.readUInt32LE(offset + 12);
    } else if (id === 'data') {
      if (!sampleRate)
        throw new SynthesisError('INVALID_OUTPUT', 'espeak-ng WAV has no fmt chunk before its data');
      const start = offset + 8;
      const end = start + Math.floor(Math.min(size, bytes.length - start) / 2) * 2;
      // Copy into an aligned buffer: the data may start at an odd offset inside the child's stdout chunk.
      const data = new Uint8Array(end - start);
      data.set(bytes.subarray(start, end));
      return audioFrame(bytesToInt16(data), sampleRate);
    }
    offset += 8 + size + (size & 1);
  }
  throw new SynthesisError('INVALID_OUTPUT', 'espeak-ng WAV has no data chunk');
}
