import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'openclaw',
    include: ['test/**/*.test.ts'],
  },
});
