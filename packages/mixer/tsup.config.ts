import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.package';

// import.meta.url (used to load Opus lazily with createRequire) also works in the CommonJS build.
export default defineConfig(libraryBuild({ shims: true }));
