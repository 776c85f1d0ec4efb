import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'realtime-client',
    include: ['test/**/*.test.ts'],
    // Guards against hangs only (no test asserts speed): the machine is shared and espeak-ng runs in some tests.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
