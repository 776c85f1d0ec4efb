import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'vad',
    include: ['test/**/*.test.ts'],
    // The labelled accuracy test synthesises speech and runs Silero over a few minutes of audio.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
