// Every published package's `engines.node` must be true for everything it installs: a dependency that
// needs a newer Node than we claim makes our claim false (werift 0.25 and openai need Node >= 22).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

interface LsNode {
  name?: string;
  version: string;
  path: string;
  private?: boolean;
  dependencies?: Record<string, LsNode>;
}

function enginesNode(path: string): string | undefined {
  const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  return pkg.engines?.node;
}

/** Every production dependency below `node`, once each, as name@version → path. */
function transitive(node: LsNode, into = new Map<string, string>()): Map<string, string> {
  for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
    const key = `${name}@${dep.version}`;
    if (into.has(key)) continue;
    into.set(key, dep.path);
    transitive(dep, into);
  }
  return into;
}

describe('engines.node of the published packages', () => {
  const projects = JSON.parse(
    execFileSync('pnpm', ['ls', '-r', '--prod', '--depth=Infinity', '--json', '--filter', './packages/*'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }),
  ) as LsNode[];
  const published = projects.filter((p) => !p.private);

  it('is the same supported range everywhere, and matches the root', () => {
    expect(published.length).toBeGreaterThanOrEqual(10);
    const rootRange = enginesNode(root);
    expect(rootRange).toBe('>=22');
    for (const p of published) expect([p.name, enginesNode(p.path)]).toEqual([p.name, rootRange]);
  });

  it('is allowed by every dependency each package installs', () => {
    const conflicts: string[] = [];
    for (const p of published) {
      const ours = enginesNode(p.path) as string;
      for (const [dep, path] of transitive(p)) {
        const theirs = enginesNode(path);
        if (
          theirs &&
          semver.validRange(theirs) &&
          !semver.subset(ours, theirs, { includePrerelease: false })
        ) {
          conflicts.push(`${p.name} (node ${ours}) → ${dep} needs node ${theirs}`);
        }
      }
    }
    expect(conflicts).toEqual([]);
  });
});
