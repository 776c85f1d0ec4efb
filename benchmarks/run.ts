// Runs the benchmark suites in suites/*.ts (all, or those named on the command line) and rewrites their
// sections of RESULTS.md, leaving the sections of suites that were not run as they were.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Suite } from './suite.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, 'RESULTS.md');
const wanted = process.argv.slice(2);

const files = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.ts'))
  .sort();
const suites: Suite[] = [];
for (const f of files) {
  // Only load the suites asked for (by file name or id), and let one broken suite not stop the others.
  if (wanted.length > 0 && !wanted.includes(f.replace(/\.ts$/, ''))) {
    const text = readFileSync(join(here, 'suites', f), 'utf8');
    if (!wanted.some((w) => text.includes(`id: '${w}'`))) continue;
  }
  try {
    const mod = (await import(pathToFileURL(join(here, 'suites', f)).href)) as { default: Suite };
    if (wanted.length === 0 || wanted.includes(mod.default.id) || wanted.includes(f.replace(/\.ts$/, ''))) {
      suites.push(mod.default);
    }
  } catch (err) {
    console.error(`suite ${f} could not be loaded, skipped: ${(err as Error).message}`);
  }
}
if (suites.length === 0) {
  console.error(`no suite matches ${wanted.join(', ')}; available: ${files.join(', ')}`);
  process.exit(1);
}

const fresh = new Map<string, string>();
for (const s of suites) {
  console.log(`\n== ${s.title} ==`);
  const started = Date.now();
  const body = await s.run();
  console.log(body);
  const stamp = `_Run ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s._`;
  fresh.set(s.id, `## ${s.title}\n\n${stamp}\n\n${body.trim()}\n\n`);
}

// Read the file only now, not before the (long) runs: another run finished meanwhile keeps its sections.
// Written to a temporary file and renamed, so a reader never sees half a file.
const sections = new Map<string, string>();
const old = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
for (const m of old.matchAll(/<!-- suite:([\w-]+) -->\n([\s\S]*?)<!-- \/suite:\1 -->/g))
  sections.set(m[1], m[2]);
for (const [id, body] of fresh) sections.set(id, body);

// The text before the first section is written by hand (notes that span suites): kept as it is.
const firstSection = old.indexOf('<!-- suite:');
const preamble =
  firstSection > 0
    ? old.slice(0, firstSection).trimEnd()
    : [
        '# Benchmark results',
        '',
        'Written by `pnpm bench` (`npm run bench` at the root). Every table compares voxwire with its peers in the',
        'same process and run; read the ratios, not the absolute numbers, which depend on the machine.',
      ].join('\n');
const out = [
  preamble,
  '',
  ...[...sections.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, body]) => `<!-- suite:${id} -->\n${body}<!-- /suite:${id} -->\n`),
].join('\n');
const tmp = `${resultsPath}.${process.pid}.tmp`;
writeFileSync(tmp, out);
renameSync(tmp, resultsPath);
console.log(`\nwrote ${resultsPath}`);
