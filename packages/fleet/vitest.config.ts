import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fleet',
    include: ['test/**/*.test.ts'],
    // The tests start their own redis-server and child instances; one file at a time keeps the 2-core box calm.
    // (In the whole suite's run the root vitest.config.ts sets the worker count and files may overlap.)
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
