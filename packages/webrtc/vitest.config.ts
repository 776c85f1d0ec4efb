import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'webrtc',
    include: ['test/**/*.test.ts'],
  },
});
