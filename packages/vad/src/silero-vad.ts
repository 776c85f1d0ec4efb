import { type AudioFrame, int16ToFloat } from '@voxwire/codecs';
import type { AsyncCloseable } from '@voxwire/core';
import { VadError } from './errors.js';
import {
  loadOnnxRuntime,
  type ModuleImporter,
  type OnnxRuntimeModule,
  type OnnxSession,
  type OnnxTensor,
} from './onnx-runtime.js';
import { resolveSileroModel } from './silero-model.js';
import { assertFrame, type Vad } from './vad.js';

/** Options of {@link SileroVad.create}. */
export interface SileroVadOptions {
  /** 16000 (512-sample frames) or 8000 (256-sample frames). Default 16000. */
  sampleRate?: 8000 | 16000;
  /** Path of `silero_vad_v5.onnx`; default: the file shipped by an installed model package. */
  modelPath?: string;
  /** onnxruntime intra-op threads. Default 1 (the model is tiny; more threads only add overhead). */
  threads?: number;
  /** How `onnxruntime-node` is imported; for tests and custom bundling. Default `import()`. */
  importRuntime?: ModuleImporter;
}

/** Silero v5 keeps this many samples of the previous frame in front of the current one. */
const CONTEXT_SAMPLES = { 8000: 32, 16000: 64 } as const;
const FRAME_SAMPLES = { 8000: 256, 16000: 512 } as const;
const STATE_SIZE = 2 * 1 * 128;

/**
 * Silero VAD v5 on onnxruntime-node: 512-sample frames at 16 kHz (256 at 8 kHz), recurrent state and
 * the 64-sample (32 at 8 kHz) context carried from frame to frame, as the reference implementation does.
 * Create with `await SileroVad.create()`; `process` returns a promise of the speech probability.
 * Frames must be processed one at a time, in order (await each before the next).
 */
export class SileroVad implements Vad, AsyncCloseable {
  readonly sampleRate: 8000 | 16000;
  readonly frameSize: number;
  private readonly contextSize: number;
  private readonly session: OnnxSession;
  // Reused for every frame: [context | frame] as float32, the recurrent state and the rate.
  private readonly inputData: Float32Array;
  /** The part of `inputData` after the context, where each new frame goes. */
  private readonly frameData: Float32Array;
  private readonly stateData = new Float32Array(STATE_SIZE);
  private readonly feeds: Record<string, OnnxTensor>;
  private busy = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(ort: OnnxRuntimeModule, session: OnnxSession, sampleRate: 8000 | 16000) {
    this.session = session;
    this.sampleRate = sampleRate;
    this.frameSize = FRAME_SAMPLES[sampleRate];
    this.contextSize = CONTEXT_SAMPLES[sampleRate];
    this.inputData = new Float32Array(this.contextSize + this.frameSize);
    this.frameData = this.inputData.subarray(this.contextSize);
    this.feeds = {
      input: new ort.Tensor('float32', this.inputData, [1, this.inputData.length]),
      state: new ort.Tensor('float32', this.stateData, [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []),
    };
  }

  /**
   * Loads onnxruntime-node and the model.
   * @throws {VadError} `SAMPLE_RATE` for rates other than 8000/16000, `RUNTIME_MISSING` when onnxruntime-node
   * is not installed, `MODEL_NOT_FOUND` when no model file is found, `MODEL_INVALID` when the file is not Silero v5.
   */
  static async create(options: SileroVadOptions = {}): Promise<SileroVad> {
    const sampleRate = options.sampleRate ?? 16000;
    if (sampleRate !== 16000 && sampleRate !== 8000) {
      throw new VadError(
        'SAMPLE_RATE',
        `SileroVad runs at 16000 or 8000 Hz, got ${sampleRate}; resample first (VadSegmenter does it for you)`,
      );
    }
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new VadError('INVALID_ARGUMENT', `SileroVad threads must be a positive integer, got ${threads}`);
    }
    const modelPath = resolveSileroModel(options.modelPath);
    const ort = await loadOnnxRuntime(options.importRuntime);
    let session: OnnxSession;
    try {
      session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        executionProviders: ['cpu'],
      });
    } catch (cause) {
      throw new VadError(
        'MODEL_INVALID',
        `could not load the Silero VAD model ${modelPath}: ${String(cause)}`,
        {
          cause,
        },
      );
    }
    const expected = ['input', 'state', 'sr'];
    if (
      !expected.every((name) => session.inputNames.includes(name)) ||
      !session.outputNames.includes('stateN')
    ) {
      await session.release?.();
      throw new VadError(
        'MODEL_INVALID',
        `${modelPath} is not Silero VAD v5 (inputs ${session.inputNames.join(', ')}; ` +
          `outputs ${session.outputNames.join(', ')}; expected inputs input, state, sr and output stateN)`,
      );
    }
    return new SileroVad(ort, session, sampleRate);
  }

  /**
   * Speech probability of the next frame (a *borrowed* mono frame of `frameSize` samples at `sampleRate`:
   * its samples are copied before the promise is returned).
   * @throws {VadError} `CLOSED` after {@link close}, `BUSY` while the previous frame is still running.
   */
  async process(frame: AudioFrame): Promise<number> {
    if (this.closed) throw new VadError('CLOSED', 'SileroVad.process called after close()');
    assertFrame(frame, this.frameSize, this.sampleRate, 'SileroVad');
    if (this.busy) {
      throw new VadError(
        'BUSY',
        'SileroVad.process called before the previous frame finished; await each frame',
      );
    }
    int16ToFloat(frame.data, this.frameData);
    this.busy = true;
    let out: Record<string, OnnxTensor>;
    try {
      out = await this.session.run(this.feeds);
    } finally {
      this.busy = false;
    }
    this.stateData.set(out.stateN.data as Float32Array);
    // The last `ctx` samples of this frame are the context of the next one.
    this.inputData.copyWithin(0, this.frameSize);
    return (out.output.data as Float32Array)[0];
  }

  reset(): void {
    this.inputData.fill(0);
    this.stateData.fill(0);
  }

  /** Releases the onnxruntime session. Idempotent: later calls return the first call's promise. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.session.release?.();
    })();
    return this.closing;
  }

  /** `await using vad = await SileroVad.create()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
