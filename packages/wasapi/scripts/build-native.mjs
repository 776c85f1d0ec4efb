#!/usr/bin/env node
// Compiles the addon for this machine from the sources shipped in the package: the source fallback when
// no prebuilt @voxwire/wasapi-<platform> package matches. Installed as the `voxwire-wasapi-build` bin, so
// it runs from an installed package (`npx voxwire-wasapi-build`) as well as in the monorepo (`build`).
// Needs only a C++17 compiler; the Node-API headers are dependencies of the package, nothing is
// downloaded. When the compiler is missing it says what to install instead of printing a stack trace.
// Set VOXWIRE_SKIP_NATIVE_BUILD=1 to skip (a prebuilt platform package is used then).
import { join } from 'node:path';
import { BINARY, compile, hostCompiler, hostSuffix, root, say } from './targets.mjs';

function installHint() {
  if (process.platform === 'darwin') return 'run: xcode-select --install';
  return 'on Debian/Ubuntu/Raspberry Pi OS run: sudo apt-get install -y g++  (Fedora: sudo dnf install gcc-c++; Alpine: apk add g++)';
}

if (process.env.VOXWIRE_SKIP_NATIVE_BUILD) {
  say('VOXWIRE_SKIP_NATIVE_BUILD is set: not compiling the addon');
  process.exit(0);
}
if (process.platform === 'win32') {
  // MSVC needs an import library and flags this script does not drive; CMakeLists.txt does (cmake-js).
  say(
    `no source build for ${hostSuffix()} here: win32-x64 has a prebuilt package (@voxwire/wasapi-win32-x64-msvc). ` +
      `Elsewhere install CMake and Visual Studio Build Tools ("Desktop development with C++") and run, in ${root}: npx cmake-js compile`,
  );
  process.exit(1);
}
const cxx = hostCompiler();
if (!cxx) {
  say('cannot build the native addon: missing a C++17 compiler (g++ or clang++; or set CXX).');
  say(installHint());
  say('then run again: npx voxwire-wasapi-build');
  process.exit(1);
}
const out = join(root, 'build', 'Release', BINARY);
const error = await compile(hostSuffix(), cxx, out);
if (error) {
  say(`the native build failed: ${error}`);
  process.exit(1);
}
say(`built ${out}`);
