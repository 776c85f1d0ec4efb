// The package graph as the code has it: packages import each other only through root entry points,
// never in a cycle, only what package.json declares; benchmarks import packages' root entries and the
// examples' public entries (src/index.ts); docs/ARCHITECTURE.md's edge list is this graph.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

function dirsIn(parent: string): string[] {
  return readdirSync(join(root, parent))
    .map((d) => join(root, parent, d))
    .filter((d) => statSync(d).isDirectory() && safeExists(join(d, 'package.json')));
}

function safeExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sourceFiles(dir: string): string[] {
  if (!safeExists(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/g))
    found.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  return found;
}

const packages = dirsIn('packages').filter((d) => !manifest(d).name.match(/^@voxwire\/wasapi-/));
const names = new Map(packages.map((d) => [manifest(d).name, d]));

/** Runtime graph: package → the @voxwire packages its src imports. */
function graph(): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const dir of packages) {
    const deps = new Set<string>();
    for (const file of sourceFiles(join(dir, 'src'))) {
      for (const s of specifiers(file)) {
        const m = s.match(/^(@voxwire\/[^/]+)/);
        if (m && m[1] !== manifest(dir).name) deps.add(m[1]);
      }
    }
    g.set(manifest(dir).name, deps);
  }
  return g;
}

describe('package boundaries', () => {
  it('packages, examples and benchmarks import @voxwire packages only through their root entry', () => {
    const deep: string[] = [];
    const dirs = [...packages, ...dirsIn('examples'), join(root, 'benchmarks'), join(root, 'conformance')];
    for (const dir of dirs) {
      for (const file of sourceFiles(dir)) {
        for (const s of specifiers(file)) {
          if (/^@voxwire\/[^/]+\/(?!package\.json$)/.test(s)) deep.push(`${relative(root, file)}: ${s}`);
        }
      }
    }
    expect(deep).toEqual([]);
  });

  it('no file reaches into another package or example by a relative path', () => {
    const crossing: string[] = [];
    const owners = [...packages, ...dirsIn('examples'), join(root, 'benchmarks'), join(root, 'test-support')];
    for (const dir of owners) {
      for (const file of sourceFiles(dir)) {
        for (const s of specifiers(file)) {
          if (!s.startsWith('.')) continue;
          const target = resolve(file, '..', s);
          if (relative(dir, target).startsWith('..')) {
            // Benchmarks may use an example's public entry (examples are apps, not npm packages), an
            // example's own dev scripts the repository's setup library (installing Debian packages the same way
            // `npm test` does), and a package's tsup.config.ts the build every package shares
            // (tsup.package.ts at the root); none of them is shipped.
            const allowed =
              (dir.endsWith('benchmarks') && /examples\/[^/]+\/src\/index\.(js|ts)$/.test(target)) ||
              (/examples\/[^/]+\/scripts\//.test(file) && target.startsWith(join(root, 'scripts', 'lib'))) ||
              (file === join(dir, 'tsup.config.ts') && target === join(root, 'tsup.package'));
            if (!allowed) crossing.push(`${relative(root, file)}: ${s}`);
          }
        }
      }
    }
    expect(crossing).toEqual([]);
  });

  it('every @voxwire package a package imports is a declared dependency', () => {
    const undeclared: string[] = [];
    for (const [name, deps] of graph()) {
      const m = manifest(names.get(name) as string);
      const declared = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies };
      for (const d of deps) if (!(d in declared)) undeclared.push(`${name} → ${d}`);
    }
    expect(undeclared).toEqual([]);
  });

  it('the package graph has no cycle', () => {
    const g = graph();
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        return;
      }
      state.set(n, 'visiting');
      for (const d of g.get(n) ?? []) visit(d, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of g.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it("docs/ARCHITECTURE.md lists exactly the graph's edges", () => {
    const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const block = doc.match(/<!-- edges:start -->\n```\n([\s\S]*?)```\n<!-- edges:end -->/);
    expect(block, 'an edge list between <!-- edges:start --> and <!-- edges:end -->').not.toBeNull();
    const short = (n: string) => n.replace('@voxwire/', '');
    const actual = [...graph()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([n, deps]) => `${short(n)} → ${[...deps].map(short).sort().join(', ') || '(none)'}`);
    expect(block?.[1].trim().split('\n')).toEqual(actual);
  });
});
