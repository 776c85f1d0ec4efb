// Native dependencies whose binary is per Node ABI: pnpm builds them for the Node that installs, so the
// test pass under another supported major would find no binary and quietly test less (the codecs' native
// Opus backend falls back to opusscript). They are built for that Node too, against its own headers.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { log, quiet, run, SetupError } from './log.mjs';

/** Packages whose binary lands in `prebuild/node-v<ABI>-…` (node-pre-gyp's `module_path` names the ABI). */
const PER_ABI = [{ name: '@discordjs/opus', store: '@discordjs+opus@' }];

/** The installed copies of `store` in pnpm's virtual store that have no binary for `abi` yet. */
function missingFor(root, store, name, abi) {
  const virtual = join(root, 'node_modules', '.pnpm');
  if (!existsSync(virtual)) return [];
  return readdirSync(virtual)
    .filter((d) => d.startsWith(store))
    .map((d) => join(virtual, d, 'node_modules', name))
    .filter((pkg) => {
      const builds = join(pkg, 'prebuild');
      return !existsSync(builds) || !readdirSync(builds).some((b) => b.startsWith(`node-v${abi}-`));
    });
}

/**
 * Builds every {@link PER_ABI} package for `node` ({ bin, dir, version }) where it lacks a binary, with
 * `pnpm rebuild` run under that Node (its install script then builds for it; binaries of other Nodes stay).
 * @throws SetupError when a build fails (it needs what the first install needed: python3, make, g++)
 */
export function rebuildNativeFor(root, pnpm, env, node) {
  const abi = quiet(node.bin, ['-p', 'process.versions.modules'])?.stdout.trim();
  if (!abi) throw new SetupError(`could not start Node ${node.version} to read its ABI`);
  for (const { name, store } of PER_ABI) {
    if (missingFor(root, store, name, abi).length === 0) continue;
    log(`building ${name} for Node ${node.version} (its binary is per Node ABI, ${abi})`);
    // pnpm runs under that Node, so install scripts find it first on PATH; a global pnpm's shebang does too.
    const [cmd, ...args] = pnpm[0] === process.execPath ? [node.bin, ...pnpm.slice(1)] : pnpm;
    const status = run(cmd, [...args, 'rebuild', '--recursive', name], {
      cwd: root,
      env: {
        ...env,
        PATH: `${dirname(node.bin)}:${env.PATH ?? ''}`,
        // node-gyp builds against these headers instead of downloading them, on every core.
        npm_config_nodedir: node.dir,
        JOBS: 'max',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (status !== 0 || missingFor(root, store, name, abi).length > 0) {
      throw new SetupError(`could not build ${name} for Node ${node.version}; see the messages above.`);
    }
  }
}
