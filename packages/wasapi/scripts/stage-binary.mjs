#!/usr/bin/env node
// Copies a built addon into its napi-rs per-platform package (what `napi artifacts` does):
// `node scripts/stage-binary.mjs [suffix] [file]`. Defaults: this machine's suffix and
// build/Release/voxwire_wasapi.node. The release build (scripts/build-release.mjs) stages by itself.
import { join } from 'node:path';
import { BINARY, hostSuffix, root, say, stage } from './targets.mjs';

const suffix = process.argv[2] ?? hostSuffix();
const r = stage(suffix, process.argv[3] ?? join(root, 'build', 'Release', BINARY));
if (r.error) {
  say(r.error);
  process.exit(1);
}
say(`staged ${r.to}`);
