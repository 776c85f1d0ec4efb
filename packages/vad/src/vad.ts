import type { AudioFrame } from '@voxwire/codecs';
import { VadError } from './errors.js';

/**
 * A voice activity detector: takes fixed-size mono {@link AudioFrame}s at one sample rate and returns, per
 * frame, the probability (0..1) that it contains speech. Stateful: frames must be given in stream order.
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
   * Speech probability of the next frame of the stream. The frame is *borrowed*: callers such as
   * {@link VadSegmenter} reuse its buffer for the next frame, so a VAD must not keep `frame.data` after
   * `process` returns (or, for a promise, after it settles).
   * @throws {VadError} `FRAME_SIZE` when `frame.data.length !== frameSize` or the frame is not mono Int16
   * PCM; `SAMPLE_RATE` when `frame.sampleRate !== sampleRate`.
   */
  process(frame: AudioFrame): number | Promise<number>;
  /** Forgets all state, as if the next frame started a new stream. */
  reset(): void;
}

/**
 * Throws a clear `FRAME_SIZE` / `SAMPLE_RATE` error unless `frame` is a mono {@link AudioFrame} of
 * `frameSize` Int16 samples at `sampleRate`.
 */
export function assertFrame(
  frame: unknown,
  frameSize: number,
  sampleRate: number,
  who: string,
): asserts frame is AudioFrame {
  const f = frame as Partial<AudioFrame> | null;
  if (typeof f !== 'object' || f === null || !(f.data instanceof Int16Array) || f.channels !== 1) {
    throw new VadError(
      'FRAME_SIZE',
      `${who}.process expects a mono AudioFrame (@voxwire/codecs) of ${frameSize} Int16 samples`,
    );
  }
  if (f.data.length !== frameSize) {
    throw new VadError(
      'FRAME_SIZE',
      `${who}.process expects frames of exactly ${frameSize} samples, got ${f.data.length}; ` +
        'use VadSegmenter to feed audio of any chunk size',
    );
  }
  if (f.sampleRate !== sampleRate) {
    throw new VadError(
      'SAMPLE_RATE',
      `${who}.process expects ${sampleRate} Hz frames, got ${String(f.sampleRate)} Hz; resample first (VadSegmenter does it for you)`,
    );
  }
}
