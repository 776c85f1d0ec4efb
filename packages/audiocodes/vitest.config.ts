import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'audiocodes',
    include: ['test/**/*.test.ts'],
  },
});
