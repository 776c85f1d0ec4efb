#!/usr/bin/env node
// Copies a built addon into its napi-rs per-platform package (what `napi artifacts` does), so that the
// package can be published: `node scripts/stage-binary.mjs [suffix] [file]`. Defaults: this machine's
// suffix (linux-x64-gnu, …) and build/Release/voxwire_wasapi.node; `win32-x64-msvc` defaults to the
// mingw build (build/win32-x64/voxwire_wasapi.node, from scripts/build-win-mingw.mjs).
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function hostSuffix() {
  const { platform, arch } = process;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform === 'linux') {
    const libc = process.report?.getReport()?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
    return arch === 'arm' ? `linux-arm-${libc}eabihf` : `linux-${arch}-${libc}`;
  }
  return `${platform}-${arch}`;
}

const suffix = process.argv[2] ?? hostSuffix();
const from =
  process.argv[3] ??
  join(root, 'build', suffix === 'win32-x64-msvc' ? 'win32-x64' : 'Release', 'voxwire_wasapi.node');
const dir = join(root, '..', `wasapi-${suffix}`);
if (!existsSync(join(dir, 'package.json'))) {
  process.stderr.write(`[@voxwire/wasapi] no platform package folder ${dir}\n`);
  process.exit(1);
}
if (!existsSync(from)) {
  process.stderr.write(`[@voxwire/wasapi] no binary at ${from}: build it first\n`);
  process.exit(1);
}
const to = join(dir, `voxwire_wasapi.${suffix}.node`);
copyFileSync(from, to);
process.stderr.write(`[@voxwire/wasapi] staged ${to}\n`);
