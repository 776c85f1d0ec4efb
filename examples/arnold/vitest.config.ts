import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'arnold',
    include: ['test/**/*.test.ts'],
  },
});
