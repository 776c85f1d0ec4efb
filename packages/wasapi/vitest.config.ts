import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'wasapi',
    include: ['test/**/*.test.ts'],
    // Streams run on the real-time clock; on a loaded machine JS may be scheduled late.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
