// The one description of how the addon is compiled: which sources and flags each platform takes, and
// which compiler builds it from this machine. Used by the release build (every platform package), the
// source fallback (`voxwire-wasapi-build`, this machine only) and the mingw build. Nothing is downloaded:
// the Node-API headers come from the node-api-headers and node-addon-api packages (dependencies).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BINARY = 'voxwire_wasapi.node';
const require = createRequire(import.meta.url);

export function say(msg) {
  process.stderr.write(`[@voxwire/wasapi] ${msg}\n`);
}

const COMMON = ['addon.cc', 'backends.cc', 'js_wake.cc', 'null_backend.cc', 'realtime.cc'];
const DEFINES = ['-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_ADDON_API_DISABLE_DEPRECATED'];
const LINUX = {
  os: 'linux',
  sources: [...COMMON, 'pulse_backend.cc', 'alsa_backend.cc'],
  flags: [...DEFINES, '-DVOX_WITH_PULSE', '-DVOX_WITH_ALSA', '-fPIC', '-fvisibility=hidden', '-pthread'],
  // libpulse and libasound are dlopen'ed at run time: no -dev packages, no link-time dependency.
  libs: ['-ldl'],
};

// A source build elsewhere (macOS, a BSD): the null backend only; N-API symbols resolve from the process.
const OTHER_UNIX = {
  os: process.platform,
  sources: COMMON,
  flags: [...DEFINES, '-fPIC', '-fvisibility=hidden', '-pthread'],
  libs: process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [],
};

/**
 * The platform packages we publish, by napi-rs suffix. `cross` is the Debian cross compiler (and its apt
 * package) used when this machine is not that platform. `machine` is the ELF e_machine / PE Machine field
 * the output must carry, checked after each build.
 *
 * win32-x64 is named `-msvc` although mingw-w64 builds it: in the napi-rs layout the suffix names the ABI
 * of the Node.js that loads the binary (the official Windows builds are MSVC builds; `-gnu` is for a
 * mingw-built Node such as MSYS2's). The addon talks to Node only through the Node-API C ABI and links
 * libstdc++/libgcc/winpthread statically, so it loads in the official node.exe (checked under Wine).
 */
export const TARGETS = {
  'linux-x64-gnu': {
    ...LINUX,
    arch: 'x64',
    machine: 0x3e,
    cross: { cxx: 'x86_64-linux-gnu-g++', apt: 'g++-x86-64-linux-gnu' },
  },
  'linux-arm64-gnu': {
    ...LINUX,
    arch: 'arm64',
    machine: 0xb7,
    cross: { cxx: 'aarch64-linux-gnu-g++', apt: 'g++-aarch64-linux-gnu' },
  },
  'linux-arm-gnueabihf': {
    ...LINUX,
    arch: 'arm',
    machine: 0x28,
    cross: { cxx: 'arm-linux-gnueabihf-g++', apt: 'g++-arm-linux-gnueabihf' },
  },
  'win32-x64-msvc': {
    os: 'win32',
    arch: 'x64',
    machine: 0x8664,
    sources: [...COMMON, 'wasapi_backend.cc'],
    // GetProcAddress returns FARPROC, cast to each real signature on purpose.
    flags: [...DEFINES, '-D_WIN32_WINNT=0x0A00', '-Wno-cast-function-type'],
    libs: ['-static', '-lole32', '-lavrt', '-lsynchronization', '-luuid', '-lpropsys'],
    cross: {
      cxx: 'x86_64-w64-mingw32-g++-posix',
      dlltool: 'x86_64-w64-mingw32-dlltool',
      apt: 'g++-mingw-w64-x86-64-posix',
    },
  },
};

/** The napi-rs suffix of the running process (same rule as src/native.ts's platformSuffix). */
export function hostSuffix() {
  const { platform, arch } = process;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform === 'linux') {
    const libc = process.report?.getReport()?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
    return arch === 'arm' ? `linux-arm-${libc}eabihf` : `linux-${arch}-${libc}`;
  }
  return `${platform}-${arch}`;
}

function works(cmd) {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** This machine's C++ compiler: `$CXX`, else the first of c++, g++, clang++ that runs; undefined if none. */
export function hostCompiler() {
  if (process.env.CXX) return works(process.env.CXX) ? process.env.CXX : undefined;
  return ['c++', 'g++', 'clang++'].find(works);
}

/** The compiler that builds `suffix` here, or `{ missing }` naming what to install. */
export function compilerFor(suffix) {
  const t = TARGETS[suffix];
  if (suffix === hostSuffix() && t?.os !== 'win32') {
    const cxx = hostCompiler();
    return cxx ? { cxx } : { missing: 'a C++17 compiler (g++ or clang++)', apt: 'g++' };
  }
  if (!t) return { missing: `a compiler for ${suffix} (not a target of the release build)` };
  if (!works(t.cross.cxx)) return { missing: t.cross.cxx, apt: t.cross.apt };
  return { cxx: t.cross.cxx };
}

function run(cmd, args) {
  // async: a synchronous minute-long compile would block whoever imported this (e.g. a test worker).
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (err) => resolve({ status: -1, error: err }));
    child.once('exit', (status) => resolve({ status: status ?? 1 }));
  });
}

/**
 * Compiles the addon for `suffix` (a key of TARGETS, or the host suffix for a source build on a platform
 * we publish no binary for) into `out`, with compiler `cxx`. Resolves with an error message or undefined.
 */
export async function compile(suffix, cxx, out) {
  const t = TARGETS[suffix] ?? (process.platform === 'linux' ? LINUX : OTHER_UNIX);
  let headers;
  let addonApi;
  try {
    headers = require('node-api-headers');
    addonApi = dirname(require.resolve('node-addon-api/package.json'));
  } catch {
    return 'the node-api-headers and node-addon-api packages are not installed next to @voxwire/wasapi (reinstall it)';
  }
  mkdirSync(dirname(out), { recursive: true });
  const libs = [...t.libs];
  if (t.os === 'win32') {
    // Windows resolves N-API at load time from node.exe: an import library made from node_api.def.
    const lib = join(dirname(out), 'libnode_api.a');
    const r = await run(t.cross.dlltool, ['-d', headers.def_paths.node_api_def, '-l', lib, '-D', 'node.exe']);
    if (r.status !== 0) return `${t.cross.dlltool} failed (install ${t.cross.apt})`;
    libs.unshift(lib);
  }
  const args = [
    '-std=gnu++17',
    '-O2',
    '-shared',
    '-Wall',
    '-Wextra',
    '-Wno-unused-parameter',
    ...t.flags,
    `-I${headers.include_dir}`,
    `-I${addonApi}`,
    ...t.sources.map((f) => join(root, 'native', f)),
    '-o',
    out,
    ...libs,
  ];
  say(`compiling ${suffix} with ${cxx}`);
  const r = await run(cxx, args);
  if (r.error) return `${cxx} could not be started: ${r.error.message}`;
  if (r.status !== 0) return `${cxx} failed (exit ${r.status}); see the compiler messages above`;
  return undefined;
}

/** The machine field of an ELF or PE file, or undefined when it is neither. */
export function machineOf(file) {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n >= 20 && head.readUInt32BE(0) === 0x7f454c46) return head.readUInt16LE(18);
    if (n >= 64 && head.toString('latin1', 0, 2) === 'MZ') {
      const pe = head.readUInt32LE(0x3c);
      if (pe + 6 <= n && head.toString('latin1', pe, pe + 4) === 'PE\0\0') return head.readUInt16LE(pe + 4);
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The folder of the platform package for `suffix` (packages/wasapi-<suffix>). */
export function platformPackageDir(suffix) {
  return join(root, '..', `wasapi-${suffix}`);
}

/** Copies `from` into its platform package as `voxwire_wasapi.<suffix>.node` (what `napi artifacts` does). */
export function stage(suffix, from) {
  const dir = platformPackageDir(suffix);
  if (!existsSync(join(dir, 'package.json'))) return { error: `no platform package folder ${dir}` };
  if (!existsSync(from)) return { error: `no binary at ${from}: build it first` };
  const to = join(dir, `voxwire_wasapi.${suffix}.node`);
  copyFileSync(from, to);
  return { to };
}
