import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'consumer',
    include: ['test/**/*.test.ts'],
    // Packing, a plain npm install (from npm's cache after the first run) and two strict tsc runs.
    testTimeout: 120_000,
    hookTimeout: 420_000,
  },
});
