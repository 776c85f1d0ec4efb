#!/usr/bin/env node
// The release build: compiles the addon for every platform package (or the suffixes given as arguments)
// — linux-x64-gnu natively, linux-arm64-gnu and linux-arm-gnueabihf with Debian's cross compilers,
// win32-x64-msvc with mingw-w64 — checks that each output is a shared object for its CPU, and stages it
// into packages/wasapi-<suffix>/ so that `pnpm pack` there contains it. Loading each one on its own CPU
// is consumer/scripts/foreign-load.mjs (qemu, Wine). Run: pnpm --filter @voxwire/wasapi build:release
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BINARY, compile, compilerFor, machineOf, root, say, stage, TARGETS } from './targets.mjs';

/** Builds, checks and stages one target; resolves true when it is staged. */
export async function releaseTarget(suffix) {
  const c = compilerFor(suffix);
  if (!c.cxx) {
    say(`${suffix}: missing ${c.missing}${c.apt ? `: sudo apt-get install -y ${c.apt}` : ''}`);
    return false;
  }
  const out = join(root, 'build', suffix, BINARY);
  const error = await compile(suffix, c.cxx, out);
  if (error) {
    say(`${suffix}: ${error}`);
    return false;
  }
  const machine = machineOf(out);
  if (machine !== TARGETS[suffix].machine) {
    say(
      `${suffix}: ${out} has machine 0x${machine?.toString(16)}, expected 0x${TARGETS[suffix].machine.toString(16)}`,
    );
    return false;
  }
  say(`built ${out}`);
  const staged = stage(suffix, out);
  if (staged.error) {
    say(`${suffix}: ${staged.error}`);
    return false;
  }
  say(`staged it in ${staged.to}`);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((s) => !(s in TARGETS));
  if (unknown.length > 0) {
    say(`unknown target ${unknown.join(', ')}; targets: ${Object.keys(TARGETS).join(', ')}`);
    process.exit(1);
  }
  const failed = [];
  // One at a time: each compile already keeps a core busy.
  for (const suffix of wanted.length > 0 ? wanted : Object.keys(TARGETS)) {
    if (!(await releaseTarget(suffix))) failed.push(suffix);
  }
  if (failed.length > 0) {
    say(`release build failed for ${failed.join(', ')}`);
    process.exit(1);
  }
  say('every platform package holds its binary; pack or publish them now');
}
