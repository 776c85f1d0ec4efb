import { VadError } from './errors.js';

/**
 * The small part of `onnxruntime-node` that {@link SileroVad} uses, typed structurally so that this
 * package's types do not require onnxruntime-node to be installed.
 */
export interface OnnxRuntimeModule {
  InferenceSession: {
    create(model: string | Uint8Array, options?: OnnxSessionOptions): Promise<OnnxSession>;
  };
  Tensor: new (
    type: 'float32' | 'int64',
    data: Float32Array | BigInt64Array,
    dims: readonly number[],
  ) => OnnxTensor;
}

/** Session options passed to `InferenceSession.create`. */
export interface OnnxSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionProviders?: string[];
}

/** A tensor as onnxruntime returns it. */
export interface OnnxTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An onnxruntime inference session. */
export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>>;
  release?(): Promise<void>;
}

/** Imports a module by specifier; injectable so tests can simulate a missing runtime. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/** How to install the runtime, quoted in every error about it. */
export const ONNX_INSTALL_HINT =
  'install the optional peer dependency: `npm install onnxruntime-node` ' +
  '(set ONNXRUNTIME_NODE_INSTALL=skip, or the older ONNXRUNTIME_NODE_INSTALL_CUDA=skip, to stop its install ' +
  'script from downloading CUDA files), or use EnergyVad, which needs no runtime';

/**
 * Loads `onnxruntime-node` lazily, only when a {@link SileroVad} is created, so that users of
 * {@link EnergyVad} never need it.
 * @throws {VadError} `RUNTIME_MISSING` with installation instructions when it cannot be imported.
 */
export async function loadOnnxRuntime(
  importer: ModuleImporter = defaultImporter,
): Promise<OnnxRuntimeModule> {
  let mod: unknown;
  try {
    mod = await importer('onnxruntime-node');
  } catch (cause) {
    throw new VadError(
      'RUNTIME_MISSING',
      `SileroVad needs onnxruntime-node, which could not be loaded: ${ONNX_INSTALL_HINT}`,
      {
        cause,
      },
    );
  }
  // ESM import of a CJS module puts its exports on `default` as well; accept either shape.
  const candidates = [mod, (mod as { default?: unknown } | null)?.default];
  for (const candidate of candidates) {
    const ort = candidate as Partial<OnnxRuntimeModule> | null | undefined;
    if (ort && typeof ort.InferenceSession?.create === 'function' && typeof ort.Tensor === 'function') {
      return ort as OnnxRuntimeModule;
    }
  }
  throw new VadError(
    'RUNTIME_MISSING',
    `the module loaded as onnxruntime-node has no InferenceSession/Tensor; ${ONNX_INSTALL_HINT}`,
  );
}
