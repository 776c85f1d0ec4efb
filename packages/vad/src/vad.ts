import { VadError } from './errors.js';

/** One frame of mono audio: Int16 PCM, or Float32 in [-1, 1]. */
export type VadFrame = Int16Array | Float32Array;

/**
 * A voice activity detector: takes fixed-size mono frames at one sample rate and returns, per frame,
 * the probability (0..1) that it contains speech. Stateful: frames must be given in stream order.
 *
 * `process` may return a number (synchronous detectors such as {@link EnergyVad}) or a promise
 * (model-based detectors such as {@link SileroVad}); `await vad.process(frame)` works for both.
 */
export interface Vad {
  /** Samples per frame that `process` accepts. */
  readonly frameSize: number;
  /** Sample rate, in Hz, of the frames `process` accepts. */
  readonly sampleRate: number;
  /**
   * Speech probability of the next frame of the stream.
   * @throws {VadError} `FRAME_SIZE` when `frame.length !== frameSize`.
   */
  process(frame: VadFrame): number | Promise<number>;
  /** Forgets all state, as if the next frame started a new stream. */
  reset(): void;
}

/** Throws a clear `FRAME_SIZE` error unless `frame` is an Int16Array/Float32Array of `frameSize` samples. */
export function assertFrame(frame: unknown, frameSize: number, who: string): asserts frame is VadFrame {
  if (!(frame instanceof Int16Array) && !(frame instanceof Float32Array)) {
    throw new VadError(
      'FRAME_SIZE',
      `${who}.process expects an Int16Array or Float32Array frame of ${frameSize} samples`,
    );
  }
  if (frame.length !== frameSize) {
    throw new VadError(
      'FRAME_SIZE',
      `${who}.process expects frames of exactly ${frameSize} samples, got ${frame.length}; ` +
        'use VadSegmenter to feed audio of any chunk size',
    );
  }
}
