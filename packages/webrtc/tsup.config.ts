import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // The browser client is located relative to the module (import.meta.url), which the CJS build needs shimmed.
  shims: true,
});
