import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.package';

export default defineConfig(libraryBuild());
