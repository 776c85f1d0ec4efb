#!/usr/bin/env node
// Cross-compiles the addon for win32-x64 with mingw-w64 (Debian: g++-mingw-w64-x86-64-posix): makes a
// Node-API import library from node-api-headers' def/node_api.def with dlltool, then compiles every
// Windows source (WASAPI + null backends) into build/win32-x64/voxwire_wasapi.node, and stages a copy in
// the per-platform package (../wasapi-win32-x64-msvc/voxwire_wasapi.win32-x64-msvc.node, git-ignored).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const headers = require('node-api-headers');
const addonApi = dirname(require.resolve('node-addon-api/package.json'));
const out = join(root, 'build', 'win32-x64');
mkdirSync(out, { recursive: true });

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(
      `[@voxwire/wasapi] ${cmd} not found: sudo apt-get install -y g++-mingw-w64-x86-64-posix\n`,
    );
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const lib = join(out, 'libnode_api.a');
run('x86_64-w64-mingw32-dlltool', ['-d', headers.def_paths.node_api_def, '-l', lib, '-D', 'node.exe']);
const sources = [
  'addon.cc',
  'backends.cc',
  'js_wake.cc',
  'null_backend.cc',
  'realtime.cc',
  'wasapi_backend.cc',
].map((f) => join(root, 'native', f));
run('x86_64-w64-mingw32-g++-posix', [
  '-std=gnu++17',
  '-O2',
  '-shared',
  '-Wall',
  '-Wno-unused-parameter',
  '-DNAPI_VERSION=8',
  '-DNAPI_CPP_EXCEPTIONS',
  '-DNODE_ADDON_API_DISABLE_DEPRECATED',
  '-D_WIN32_WINNT=0x0A00',
  `-I${headers.include_dir}`,
  `-I${addonApi}`,
  ...sources,
  '-o',
  join(out, 'voxwire_wasapi.node'),
  lib,
  '-static',
  '-lole32',
  '-lavrt',
  '-lsynchronization',
  '-luuid',
  '-lpropsys',
]);
process.stderr.write(`[@voxwire/wasapi] built ${join(out, 'voxwire_wasapi.node')}\n`);
const platformPackage = join(root, '..', 'wasapi-win32-x64-msvc');
if (existsSync(join(platformPackage, 'package.json'))) {
  copyFileSync(join(out, 'voxwire_wasapi.node'), join(platformPackage, 'voxwire_wasapi.win32-x64-msvc.node'));
  process.stderr.write(`[@voxwire/wasapi] staged it in ${platformPackage}\n`);
}
