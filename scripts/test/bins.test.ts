// No dependency may put a common command on the PATH that pnpm gives install scripts and package scripts:
// once, Windows Node's `node` bin was linked there and every install script ran node.exe.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const COMMON = [
  'node',
  'nodejs',
  'npm',
  'npx',
  'corepack',
  'python',
  'python3',
  'sh',
  'bash',
  'make',
  'cmake',
  'cc',
  'gcc',
  'g++',
  'git',
  'tar',
];

/** Every node_modules/.bin of the workspace: the root, each project's, and pnpm's hoisted one. */
function binDirs(): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const projects = [...yaml.matchAll(/^\s+-\s+(\S+)\s*$/gm)].flatMap((m) => {
    const pattern = m[1] as string;
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = join(root, pattern.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((d) => join(pattern.slice(0, -2), d)) : [];
  });
  return ['.', ...projects, 'node_modules/.pnpm']
    .map((p) => join(root, p, 'node_modules', '.bin'))
    .filter((d) => existsSync(d));
}

describe('workspace bins', () => {
  it('link no common command name (node, npm, python, make, …)', () => {
    const dirs = binDirs();
    expect(dirs.length).toBeGreaterThan(5);
    const offenders = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((b) => COMMON.includes(b.replace(/\.(cmd|ps1|exe)$/, '')))
        .map((b) => join(d, b)),
    );
    expect(offenders).toEqual([]);
  });
});
