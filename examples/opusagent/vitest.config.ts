import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'opusagent',
    include: ['test/**/*.test.ts'],
  },
});
