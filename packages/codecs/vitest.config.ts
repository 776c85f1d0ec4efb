import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'codecs',
    include: ['test/**/*.test.ts'],
  },
});
