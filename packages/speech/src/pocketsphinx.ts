import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AudioFrame, int16ToBytes, resampleFrame } from '@voxwire/codecs';
import { TranscriptionError } from './errors.js';
import { ConcurrencyLimit, commandExists, runProcess } from './process.js';
import type { Transcriber } from './types.js';

/** Where Debian's `pocketsphinx-en-us` puts the US English model. */
export const DEBIAN_POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

/** Options of {@link PocketsphinxTranscriber}. */
export interface PocketsphinxTranscriberOptions {
  /** Executable, default `pocketsphinx_continuous` (Debian package `pocketsphinx`, 0.8+5prealpha). */
  command?: string;
  /** Extra CLI arguments, e.g. `['-hmm', dir, '-lm', file, '-dict', file]` for another model. */
  args?: string[];
  /** Recognitions run at once (each is a process loading the model); default half the CPUs, at least 1. */
  concurrency?: number;
  /**
   * Recognitions allowed to wait for a process slot; one more is refused with {@link TranscriptionError}
   * `QUEUE_FULL` (a realtime-server session reports `conversation.item.input_audio_transcription.failed`). Default 256.
   */
  maxQueued?: number;
}

/**
 * Offline speech recognition with CMU PocketSphinx through its Debian CLI: the utterance is resampled to
 * 16 kHz and written as raw PCM to a temporary file for `pocketsphinx_continuous -infile <file>`, which
 * prints one line per recognised segment (a file, because Node's child stdin is a socket that
 * `-infile /dev/stdin` cannot open). One process per utterance (the model loads in about a second of CPU), bounded by
 * `concurrency`.
 */
export class PocketsphinxTranscriber implements Transcriber {
  readonly name = 'pocketsphinx';
  private readonly command: string;
  private readonly args: string[];
  private readonly limit: ConcurrencyLimit;

  constructor(options: PocketsphinxTranscriberOptions = {}) {
    this.command = options.command ?? 'pocketsphinx_continuous';
    this.args = options.args ?? [];
    this.limit = new ConcurrencyLimit(options.concurrency ?? Math.max(1, Math.floor(cpus().length / 2)), {
      maxWaiting: options.maxQueued ?? 256,
      full: (n) =>
        new TranscriptionError(
          'QUEUE_FULL',
          `${n} recognitions are already waiting for a pocketsphinx slot (option maxQueued)`,
        ),
      aborted: () => new TranscriptionError('ABORTED', 'transcription aborted'),
    });
  }

  /** Recognitions waiting for a process slot. */
  get queued(): number {
    return this.limit.queued;
  }

  /** Whether the Debian CLI and its US English model are installed. */
  static isInstalled(command = 'pocketsphinx_continuous'): boolean {
    return commandExists(command) && existsSync(DEBIAN_POCKETSPHINX_MODEL);
  }

  async transcribe(audio: AudioFrame, options: { language?: string; signal: AbortSignal }): Promise<string> {
    const pcm16k = resampleFrame(audio, 16000).data;
    const file = join(tmpdir(), `voxwire-pocketsphinx-${process.pid}-${randomUUID()}.raw`);
    // With the signal, a session that closes leaves the queue at once instead of holding a place in it.
    const { stdout } = await this.limit.run(async () => {
      await writeFile(file, int16ToBytes(pcm16k));
      try {
        return await runProcess(
          this.command,
          ['-infile', file, '-samprate', '16000', '-logfn', '/dev/null', ...this.args],
          {
            signal: options.signal,
            fail: (code, message, cause) => new TranscriptionError(code, message, { cause }),
          },
        );
      } finally {
        await rm(file, { force: true });
      }
    }, options.signal);
    return stdout
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
  }
}

/** The transcript every utterance gets when no speech recogniser is available. */
export const NO_TRANSCRIBER_TEXT =
  '[no transcriber is configured: install the Debian packages pocketsphinx and pocketsphinx-en-us, or pass engines.transcriber]';

/** Stands in when no recogniser is installed: every transcript says so, instead of pretending. */
export class NullTranscriber implements Transcriber {
  readonly name = 'none';
  async transcribe(): Promise<string> {
    return NO_TRANSCRIBER_TEXT;
  }
}
