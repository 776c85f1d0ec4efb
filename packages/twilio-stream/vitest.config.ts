import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'twilio-stream',
    include: ['test/**/*.test.ts'],
  },
});
