import type { AudioFrame } from '@voxwire/codecs';
import {
  resampleFrame,
  type SynthesisOptions,
  type Synthesizer,
  splitForSynthesis,
  synthesisStream,
} from '@voxwire/speech';

/**
 * One reply's speech while it is being made: pieces (sentences) from the synthesizer's stream are pulled as
 * fast as the engine makes them, resampled to the session rate and appended, while the response sends what
 * has arrived. The first audio leaves after the first sentence, not after the whole reply.
 */
export class SpeechBuffer {
  private pcm = new Int16Array(0);
  private length = 0;
  private pieces = 0;
  private finished = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  /** Characters of text covered after each expected piece (a guess: the engine's own split may differ). */
  private readonly covered: number[];
  /** Settles when the stream has ended, failed or was aborted. */
  readonly done: Promise<void>;

  constructor(
    synthesizer: Synthesizer,
    private readonly text: string,
    private readonly rate: number,
    options: SynthesisOptions,
  ) {
    let at = 0;
    this.covered = splitForSynthesis(text).map((piece) => {
      at = text.indexOf(piece, at) + piece.length;
      return at;
    });
    this.done = this.pull(synthesisStream(synthesizer, text, options));
  }

  private async pull(stream: AsyncIterable<AudioFrame>): Promise<void> {
    try {
      for await (const piece of stream) this.append(resampleFrame(piece, this.rate).data);
    } catch (err) {
      this.failure = err;
    } finally {
      this.finished = true;
      this.notify();
    }
  }

  private append(samples: Int16Array): void {
    const needed = this.length + samples.length;
    if (needed > this.pcm.length) {
      // Doubling: appending n samples copies O(n) in total.
      const grown = new Int16Array(Math.max(needed, this.pcm.length * 2));
      grown.set(this.pcm.subarray(0, this.length));
      this.pcm = grown;
    }
    this.pcm.set(samples, this.length);
    this.length = needed;
    this.pieces++;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Samples made so far. */
  get received(): number {
    return this.length;
  }

  /** Whether the synthesizer has finished (or failed). */
  get complete(): boolean {
    return this.finished;
  }

  /** What the synthesizer threw, once {@link complete}; `undefined` for a clean end. */
  get error(): unknown {
    return this.failure;
  }

  /**
   * The whole reply's length in samples: exact once complete; before, extrapolated from the samples per
   * character of the pieces so far (never less than what arrived).
   */
  estimatedTotal(): number {
    if (this.finished || this.length === 0) return this.length;
    const chars = this.covered[Math.min(this.pieces, this.covered.length) - 1] ?? this.text.length;
    if (chars >= this.text.length) return this.length;
    return Math.max(this.length, Math.round((this.length * this.text.length) / Math.max(1, chars)));
  }

  /** Resolves once `end` samples are there or the stream is complete (or `signal` aborts). */
  async waitFor(end: number, signal: AbortSignal): Promise<void> {
    while (this.length < end && !this.finished && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
  }

  /** Samples `start`..`end` (a view, valid until more audio arrives). */
  view(start: number, end: number): Int16Array {
    return this.pcm.subarray(start, Math.min(end, this.length));
  }
}
