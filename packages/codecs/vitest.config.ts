import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// The Opus tests run both backends, and @discordjs/opus is an optional peer that the codecs look up at run
// time. No workspace package may depend on it (its native build would then be forced on every install, `npm
// start` included): pnpm links it to the benchmarks only, and the tests find it in pnpm's hoisted folder through
// NODE_PATH, set here for the test processes vitest forks. vitest's bin shim sets it too, but not every way of
// starting vitest passes through that shim (a global pnpm's `exec`; the shim as `pnpm rebuild` rewrites it,
// which is how `npm test`'s second Node ran the native tests against nothing).
const hoisted = fileURLToPath(new URL('../../node_modules/.pnpm/node_modules', import.meta.url));
const paths = (process.env.NODE_PATH ?? '').split(delimiter).filter(Boolean);
if (!paths.includes(hoisted)) process.env.NODE_PATH = [hoisted, ...paths].join(delimiter);

export default defineProject({
  test: {
    name: 'codecs',
    include: ['test/**/*.test.ts'],
  },
});
