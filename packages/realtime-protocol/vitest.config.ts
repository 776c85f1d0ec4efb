import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'realtime-protocol',
    include: ['test/**/*.test.ts'],
  },
});
