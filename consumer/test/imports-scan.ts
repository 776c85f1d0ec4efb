// Finds bare module specifiers in an installed package's shipped JavaScript and declarations that its
// package.json does not declare: such an import works in the monorepo (or next to a package that
// happens to bring it) and breaks for a user who installs this package alone.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]([^'"\n]+)['"]/g;
const SHIPPED = /\.(?:c|m)?js$|\.d\.(?:c|m)?ts$/;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (SHIPPED.test(entry)) out.push(path);
  }
  return out;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** `{ file: [undeclared package names] }` for the package installed at `dir` (empty when all declared). */
export function undeclaredImports(dir: string): Record<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const declared = new Set<string>([String(manifest.name)]);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
    for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}))
      declared.add(name);
  const builtins = new Set(builtinModules);
  const out: Record<string, string[]> = {};
  for (const file of files(dir)) {
    const text = readFileSync(file, 'utf8');
    const isTypes = /\.d\.(?:c|m)?ts$/.test(file);
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1];
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtins.has(spec))
        continue;
      const name = packageOf(spec);
      // In declarations, `ws` is satisfied by @types/ws; in JavaScript only by ws itself.
      const ok =
        declared.has(name) && (!isTypes || !needsTypesPackage(dir, name) || declared.has(`@types/${name}`));
      if (ok) continue;
      const rel = file.slice(dir.length + 1);
      out[rel] = [...(out[rel] ?? []), name];
    }
  }
  return out;
}

/** Whether package `name`, as installed next to `dir`, ships no declarations of its own. */
function needsTypesPackage(dir: string, name: string): boolean {
  for (let d = dir; d !== '/'; d = join(d, '..')) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'node_modules', name, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      return !(pkg.types || pkg.typings || JSON.stringify(pkg.exports ?? '').includes('types'));
    } catch {
      // not installed at this level: look further up
    }
  }
  return true;
}
