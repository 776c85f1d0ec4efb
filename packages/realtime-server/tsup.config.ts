import { defineConfig } from 'tsup';
import { commandBuild, libraryBuild } from '../../tsup.package';

export default defineConfig([libraryBuild(), commandBuild('src/cli.ts')]);
