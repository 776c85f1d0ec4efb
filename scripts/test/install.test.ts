// The setup script's install step, on real pnpm installs of small throw-away projects: a failing install
// script is reported by package, script and first error line; a lagging lockfile is resolved again.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../lib/log.mjs';
import { pnpmInstall } from '../lib/pnpm.mjs';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project depending on a local package `dep` whose install script is `script`, with pnpm settings. */
function project(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-setup-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'dep'));
  writeFileSync(
    join(dir, 'dep', 'package.json'),
    JSON.stringify({ name: 'dep', version: '1.0.0', scripts: { install: script } }),
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'app', private: true, dependencies: { dep: 'file:./dep' } }),
  );
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'dangerouslyAllowAllBuilds: true\n');
  return dir;
}

const pnpm = ['pnpm'];
// A store of this run's own: a fixed path under /tmp may belong to another user.
const store = mkdtempSync(join(tmpdir(), 'voxwire-setup-store-'));
dirs.push(store);
const env = { ...process.env, npm_config_store_dir: store };

describe('pnpmInstall', () => {
  it('names the package, the script and its first error line when an install script fails', async () => {
    const dir = project(
      `node -e "console.log('checking for libfoo'); console.error('error: libfoo.so.1 not found'); process.exit(3)"`,
    );
    execFileSync('pnpm', ['install', '--lockfile-only'], { cwd: dir, env, stdio: 'ignore' });
    const err = await pnpmInstall(dir, pnpm, env, { echo: false, cold: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    const message = (err as Error).message;
    expect(message).toContain('dep (install script): error: libfoo.so.1 not found');
    expect(message).not.toContain('lockfile');
  }, 120_000);

  it('resolves again when the lockfile lags a manifest, and lists the install scripts that ran', async () => {
    const dir = project(`node -e "console.log('built')"`);
    execFileSync('pnpm', ['install', '--lockfile-only'], { cwd: dir, env, stdio: 'ignore' });
    // The manifest moves on without the lockfile: a frozen install refuses it.
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: { dep: 'file:./dep' },
        devDependencies: { dep2: 'file:./dep' },
      }),
    );
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await pnpmInstall(dir, pnpm, env, { echo: false, cold: true });
    } finally {
      process.stderr.write = write;
    }
    const said = lines.join('');
    expect(said).toContain('pnpm-lock.yaml does not match the package manifests');
    expect(said).toContain('install scripts that ran: dep install');
  }, 120_000);
});
