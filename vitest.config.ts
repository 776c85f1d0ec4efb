import { defineConfig } from 'vitest/config';

// One run over every workspace project: each package keeps its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'test-support', 'scripts', 'consumer', 'conformance'],
  },
});
