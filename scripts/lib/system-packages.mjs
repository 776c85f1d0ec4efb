// Debian packages: the full list the tests need (.ci/apt-packages.txt), one agent's list (the
// "voxwire.apt" field of examples/<agent>/package.json) or the benchmarks' (the same field of
// benchmarks/package.json). Installed when run as root; otherwise the apt-get line to run is printed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, quiet, run, SetupError } from './log.mjs';

/** The packages the whole test suite needs. */
export function testPackages(root) {
  const file = join(root, '.ci', 'apt-packages.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The `voxwire.apt` field of the package.json in `dir`: the Debian packages that project needs. */
function aptField(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return pkg.voxwire?.apt ?? [];
}

/** The packages one example agent needs to run (not to be tested). */
export function agentPackages(root, agent) {
  return aptField(join(root, 'examples', agent));
}

/** The packages the benchmarks need beyond the tests' (the peers they run that npm does not install). */
export function benchmarkPackages(root) {
  return aptField(join(root, 'benchmarks'));
}

function installed(name) {
  const r = quiet('dpkg-query', ['-W', `--showformat=${'$'}{Status}`, name]);
  return r?.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureSystemPackages(wanted, what) {
  if (wanted.length === 0) return;
  if (!quiet('dpkg-query', ['--version'])) {
    log(`not a Debian system: make sure these are installed for ${what}: ${wanted.join(' ')}`);
    return;
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    log(
      `missing system packages for ${what}: ${missing.join(' ')}\n  install them with: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\n  (what needs them will fail until then)`,
    );
    return;
  }
  log(`installing system packages for ${what}: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quietIo = { env, stdio: ['ignore', 'ignore', 'inherit'] };
  if (run('apt-get', ['update', '-qq'], quietIo) !== 0)
    log('apt-get update failed; trying the install anyway');
  const status = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], quietIo);
  if (status !== 0) {
    throw new SetupError(
      `apt-get install of ${missing.join(' ')} failed (exit ${status}); see the messages above.`,
    );
  }
}
