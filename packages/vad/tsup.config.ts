import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // import.meta.url in the CJS build (model lookup); onnxruntime-node stays an optional runtime import.
  shims: true,
  external: ['onnxruntime-node'],
});
