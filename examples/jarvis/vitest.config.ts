import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'jarvis',
    include: ['test/**/*.test.ts'],
    // Each file starts its own services and pocketsphinx/espeak-ng processes: one file at a time keeps a
    // shared 2-core machine responsive.
    // (In the whole suite's run the root vitest.config.ts sets the worker count and files may overlap.)
    fileParallelism: false,
  },
});
