import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'webrtc',
    include: ['test/**/*.test.ts'],
    // Real connections on a shared 2-core machine: ICE, DTLS and a second of real-time audio per test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: each opens real connections (and one a browser) on a small shared machine.
    // (In the whole suite's run the root vitest.config.ts sets the worker count and files may overlap.)
    fileParallelism: false,
  },
});
