import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mixer',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
