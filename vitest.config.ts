import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One run over every workspace project: each package keeps its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'test-support', 'scripts', 'consumer', 'conformance'],
    // Vitest's default is one worker fewer than the CPUs: one worker on a 2-core machine, which ran the whole
    // suite one file at a time (13 min on Node 22, most of it spent waiting on real-time audio, servers and
    // child processes). Two workers there halve that; larger machines keep vitest's default. Three on 2 cores
    // starved real-time capture (a 500 ms ring overran), so not more. With more than one worker, a project's
    // `fileParallelism: false` no longer keeps its files apart from each other in this run, only from
    // running alone (`vitest --project <name>`): every test starts its own servers on free ports.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
