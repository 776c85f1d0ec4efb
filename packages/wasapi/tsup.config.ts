import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // Only dist/: build/ holds the compiled addon from the step before.
  clean: true,
  target: 'node22',
  // import.meta.url locates the addon; tsup shims it in the CJS build.
  shims: true,
});
