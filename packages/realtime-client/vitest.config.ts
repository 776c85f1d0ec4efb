import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'realtime-client',
    include: ['test/**/*.test.ts'],
  },
});
