#!/usr/bin/env node
// Compiles the native addon with cmake-js (Node-API headers from node-api-headers: no download).
// Checks for CMake and a C++ compiler first and explains what is missing instead of a stack trace.
// Set VOXWIRE_SKIP_NATIVE_BUILD=1 to skip (a prebuilt @voxwire/wasapi-<platform> package is used then).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function say(msg) {
  process.stderr.write(`[@voxwire/wasapi] ${msg}\n`);
}

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function installHint(tools) {
  if (process.platform === 'win32')
    return 'install CMake (https://cmake.org/download/) and Visual Studio Build Tools with "Desktop development with C++"';
  if (process.platform === 'darwin') return `run: xcode-select --install && brew install cmake`;
  const apt = tools.map((t) => (t === 'cmake' ? 'cmake' : 'g++')).join(' ');
  return `on Debian/Ubuntu/Raspberry Pi OS run: sudo apt-get install -y ${apt}  (Fedora: sudo dnf install ${tools
    .map((t) => (t === 'cmake' ? 'cmake' : 'gcc-c++'))
    .join(' ')})`;
}

if (process.env.VOXWIRE_SKIP_NATIVE_BUILD) {
  say('VOXWIRE_SKIP_NATIVE_BUILD is set: not compiling the addon');
  process.exit(0);
}

const missing = [];
if (!has('cmake')) missing.push('cmake');
if (process.platform !== 'win32') {
  const cxx = process.env.CXX;
  if (!(cxx ? has(cxx) : has('c++') || has('g++') || has('clang++')))
    missing.push('a C++17 compiler (g++ or clang++)');
}
if (missing.length > 0) {
  say(`cannot build the native addon: missing ${missing.join(' and ')}.`);
  say(installHint(missing.map((m) => (m === 'cmake' ? 'cmake' : 'cxx'))));
  say('or install a prebuilt binary package (@voxwire/wasapi-<platform>) if one exists for your platform.');
  process.exit(1);
}

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  say('cannot build the native addon: the cmake-js package is not installed (run pnpm install).');
  process.exit(1);
}
const args = [cmakeJs, 'compile', '--directory', root, '--out', join(root, 'build')];
if (!process.env.VOXWIRE_VERBOSE_BUILD) args.push('--log-level', 'warn');
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  say(`the native build failed (cmake-js exit ${r.status}); see the compiler messages above.`);
  process.exit(1);
}
