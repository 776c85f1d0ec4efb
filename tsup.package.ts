// The one build every @voxwire package shares, imported by each package's tsup.config.ts (build time only:
// nothing here is published). Change a package's build by passing options, not by copying this out.
import type { Options } from 'tsup';

/**
 * A package's library build: `src/index.ts` to ESM and CommonJS with types and source maps, for the oldest
 * Node the packages support (`engines`). `extra` adds to it or overrides it (e.g. `shims: true` where the
 * source uses `import.meta.url`, which the CommonJS build then needs shimmed).
 */
export function libraryBuild(extra: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    ...extra,
  };
}

/**
 * A package's command-line entry (its `bin`): ESM only, no types; esbuild keeps its `#!` line. It runs after
 * the library build in the same `defineConfig([...])`, so it must not clean `dist/`.
 */
export function commandBuild(entry: string): Options {
  return { entry: [entry], format: ['esm'], sourcemap: true, clean: false, target: 'node22' };
}
