import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // import.meta.url (used to load Opus lazily with createRequire) also works in the CommonJS build.
  shims: true,
});
