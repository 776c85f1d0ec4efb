import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.package';

// clean empties only dist/: build/ holds the compiled addon from the step before. import.meta.url locates
// the addon; tsup shims it in the CJS build.
export default defineConfig(libraryBuild({ shims: true }));
