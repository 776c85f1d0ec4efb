// Packs the workspace's publishable packages as `pnpm publish` would (workspace:* replaced by versions,
// the root LICENSE added) and installs the tarballs with plain npm into a project outside the workspace.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** This workspace package (its node_modules hold publint and attw). */
export const consumerRoot = join(root, 'consumer');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (a long synchronous child starves vitest's RPC). */
export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ status: -1, stdout, stderr: `${stderr}${err.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
    });
  });
}

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  /** A napi-rs platform package (holds a .node and nothing to import). */
  platform: boolean;
  main?: string;
}

/** Every non-private package under packages/. */
export function publishablePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const entry of readdirSync(join(root, 'packages'))) {
    const file = join(root, 'packages', entry, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      version: string;
      private?: boolean;
      main?: string;
      os?: string[];
    };
    if (pkg.private) continue;
    out.push({
      name: pkg.name,
      version: pkg.version,
      dir: join(root, 'packages', entry),
      platform: Array.isArray(pkg.os),
      main: pkg.main,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Environment of a plain user's shell: no npm_config_*, npm_package_* or NODE_PATH from pnpm or vitest. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // NODE_PATH too: pnpm sets it for scripts, and it would let the project find workspace packages.
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_PATH') env[k] = v;
  // The Node running this test first on PATH: npm (`#!/usr/bin/env node`) decides optional packages by the
  // version of the Node it runs on, which must be the one the fixtures run on.
  env.PATH = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`;
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip', ...extra };
}

/** Builds and stages the linux-x64 binary (the release build's step for it) when the package lacks it. */
export async function ensureLinuxX64Binary(): Promise<string> {
  const binary = join(root, 'packages', 'wasapi-linux-x64-gnu', 'voxwire_wasapi.linux-x64-gnu.node');
  if (existsSync(binary)) return 'present';
  const r = await run(
    process.execPath,
    [join(root, 'packages', 'wasapi', 'scripts', 'build-release.mjs'), 'linux-x64-gnu'],
    {
      timeoutMs: 240_000,
    },
  );
  if (r.status !== 0 || !existsSync(binary))
    throw new Error(`release build of linux-x64-gnu failed:\n${r.stderr}`);
  return 'built';
}

export interface Packed extends WorkspacePackage {
  tarball: string;
}

/** `pnpm pack` of each package into `dest`. */
export async function packAll(packages: WorkspacePackage[], dest: string): Promise<Packed[]> {
  const out: Packed[] = [];
  for (const p of packages) {
    const r = await run('pnpm', ['pack', '--pack-destination', dest], { cwd: p.dir });
    const tarball = join(dest, `${p.name.replace('@', '').replace('/', '-')}-${p.version}.tgz`);
    if (r.status !== 0 || !existsSync(tarball))
      throw new Error(`pnpm pack of ${p.name} failed:\n${r.stderr}${r.stdout}`);
    out.push({ ...p, tarball });
  }
  return out;
}

/**
 * Writes a user's project into `dir` depending on every non-platform tarball, with npm `overrides`
 * standing in for the registry: every @voxwire/* name, including the optional platform packages, resolves
 * to its tarball, so npm reads their os/cpu/libc and installs only the one for this machine.
 */
export function writeProject(dir: string, packed: Packed[], devDependencies: Record<string, string>): void {
  if (!relative(root, dir).startsWith('..')) throw new Error(`${dir} is inside the workspace`);
  const specs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  const dependencies = Object.fromEntries(
    packed.filter((p) => !p.platform).map((p) => [p.name, specs[p.name]]),
  );
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'voxwire-consumer', private: true, type: 'module', dependencies, devDependencies, overrides: specs }, null, 2)}\n`,
  );
  cpSync(join(consumerRoot, 'fixtures'), dir, { recursive: true });
}

/** The lowest Node major the packages support (`engines.node` of @voxwire/wasapi: `>=N`). */
export function supportedNodeMajor(): number {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', 'wasapi', 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  return Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1] ?? 0);
}

/** Whether the running Node is one the packages support (npm and the fixtures run under it). */
export function nodeSupported(): boolean {
  return Number(process.versions.node.split('.')[0]) >= supportedNodeMajor();
}

/** Plain `npm install` in `dir`, from the cache when it can (the registry only for third-party packages). */
export function npmInstall(dir: string): Promise<RunResult> {
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  return run('npm', args, {
    cwd: dir,
    env: userEnv(),
    timeoutMs: 300_000,
  });
}
