#!/usr/bin/env node
// Install footprint of each package as a user gets it: the package's tarball alone, installed with plain npm
// into an empty project (npm `overrides` point the other @voxwire/* names at their tarballs), then the
// tarball size, the number of packages npm installed (the package itself included) and the size of
// node_modules. Prints a Markdown table; the figures go into each README's Install section.
// Run under a Node that satisfies `engines` (npm skips optional platform packages otherwise):
//   node consumer/scripts/footprint.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const kb = (bytes) => `${Math.round(bytes / 1024)} kB`;
const mb = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : kb(bytes));

const work = mkdtempSync(join(tmpdir(), 'voxwire-footprint-'));
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packages = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    sh('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', dir));
    const tarball = join(tarballs, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`);
    packages.push({ name: pkg.name, tarball, platform: Array.isArray(pkg.os) });
  }
  const overrides = Object.fromEntries(packages.map((p) => [p.name, `file:${p.tarball}`]));
  console.log('| package | tarball | packages installed | node_modules |');
  console.log('|---|---|---|---|');
  for (const p of packages) {
    if (p.platform) {
      console.log(`| ${p.name} | ${kb(statSync(p.tarball).size)} | (installed by @voxwire/wasapi) | |`);
      continue;
    }
    const app = join(work, p.name.replace('/', '-'));
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: { [p.name]: overrides[p.name] },
        overrides,
      }),
    );
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    // Entries npm placed on disk (optional packages for other platforms are in the lock but not installed).
    const installed = Object.keys(lock.packages).filter((k) => k !== '' && !lock.packages[k].link);
    const onDisk = installed.filter((k) => {
      try {
        return statSync(join(app, k)).isDirectory();
      } catch {
        return false;
      }
    });
    const bytes = Number(sh('du', ['-sb', join(app, 'node_modules')], app).split('\t')[0]);
    console.log(`| ${p.name} | ${kb(statSync(p.tarball).size)} | ${onDisk.length} | ${mb(bytes)} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
