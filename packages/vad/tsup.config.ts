import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.package';

// import.meta.url in the CJS build (model lookup); onnxruntime-node stays an optional runtime import.
export default defineConfig(libraryBuild({ shims: true, external: ['onnxruntime-node'] }));
