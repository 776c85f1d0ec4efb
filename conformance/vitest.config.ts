import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'conformance',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Each file runs a server and real speech (espeak-ng, pocketsphinx): one file at a time keeps a shared
    // 2-core machine responsive.
    // (In the whole suite's run the root vitest.config.ts sets the worker count and files may overlap.)
    fileParallelism: false,
  },
});
