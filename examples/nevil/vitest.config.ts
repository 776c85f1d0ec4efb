import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'nevil',
    include: ['test/**/*.test.ts'],
  },
});
