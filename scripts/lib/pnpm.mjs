// pnpm: the pinned version (installed into .cache/pnpm when it is not on PATH), and `pnpm install` with
// failures explained by what actually failed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log, quiet, run, SetupError } from './log.mjs';

/** Returns the argv prefix that runs the pinned pnpm, installing it when absent. */
export function ensurePnpm(root, version) {
  const have = quiet('pnpm', ['--version'], { cwd: root });
  if (have && have.status === 0 && have.stdout.trim() === version) return ['pnpm'];
  const prefix = join(root, '.cache', 'pnpm');
  const local = join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (!existsSync(local)) {
    log(`installing pnpm ${version} into .cache/pnpm (from the npm registry)`);
    const status = run('npm', ['install', '--no-save', '--prefix', prefix, `pnpm@${version}`], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (status !== 0 || !existsSync(local)) {
      throw new SetupError(
        `could not install pnpm ${version} with npm. Install it yourself (npm i -g pnpm@${version} or corepack enable) and run again.`,
      );
    }
  }
  // turbo looks pnpm up on PATH, so put the local copy there for everything we start.
  process.env.PATH = `${join(prefix, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  return [process.execPath, local];
}

/** Runs a command, copying its output to ours as it comes, and returns its status and output lines. */
function tee(cmd, args, opts, echo = true) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      from.on('data', (b) => {
        if (echo) to.write(b);
        chunks.push(b);
      });
    }
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ status: code ?? 1, lines: Buffer.concat(chunks).toString('utf8').split('\n') }),
    );
  });
}

const LIFECYCLE = '(preinstall|install|postinstall|prepare)';
// pnpm prefixes a dependency script's lines with "<path>/node_modules/<name> <script>: " (or "$ " for the
// command it runs); the path may be shortened with "...".
const SCRIPT_LINE = new RegExp(`^(\\S*node_modules/((?:@[^/\\s]+/)?[^/\\s]+)) ${LIFECYCLE}([:$]) ?(.*)$`);

/**
 * What pnpm's output says about install scripts: the ones that ran (and finished), and for each failed one
 * its first line that looks like an error (else its last line of output).
 */
export function readInstallScripts(lines) {
  const ran = new Set();
  const output = new Map();
  const failed = [];
  for (const line of lines) {
    const m = SCRIPT_LINE.exec(line.trim());
    if (!m) continue;
    const [, , name, script, sep, text] = m;
    const key = `${name} ${script}`;
    if (sep === '$') continue;
    if (text === 'Done') ran.add(key);
    else if (text === 'Failed') {
      const out = output.get(key) ?? [];
      const first = out.find((l) => /error|ERR!|not found|failed|cannot|exec format/i.test(l)) ?? '';
      failed.push({ name, script, firstError: first.trim(), lastLine: (out.at(-1) ?? '').trim() });
    } else {
      if (!output.has(key)) output.set(key, []);
      output.get(key).push(text);
    }
  }
  return { ran: [...ran], failed };
}

/**
 * `pnpm install` of the whole workspace (or of `filter`'s projects). A lockfile that lags a manifest is
 * resolved again (and said so); any other failure is reported with the package and script that failed.
 * With `cold`, cached script results (pnpm's side-effects cache) are not used, so install scripts run for
 * real: CI does this on every run.
 */
export async function pnpmInstall(root, pnpm, env, { filter, label, cold, echo = true } = {}) {
  const args = [...pnpm.slice(1), 'install', '--frozen-lockfile'];
  for (const f of filter ?? []) args.push('--filter', f);
  if (cold) args.push('--config.side-effects-cache=false');
  log(`installing ${label ?? 'workspace dependencies'}${cold ? ' (install scripts run afresh)' : ''}`);
  let r = await tee(pnpm[0], args, { cwd: root, env }, echo);
  if (r.status !== 0 && r.lines.some((l) => l.includes('ERR_PNPM_OUTDATED_LOCKFILE'))) {
    log(
      'pnpm-lock.yaml does not match the package manifests: resolving again (run pnpm install and commit the lockfile)',
    );
    args[args.indexOf('--frozen-lockfile')] = '--no-frozen-lockfile';
    r = await tee(pnpm[0], args, { cwd: root, env }, echo);
  }
  const scripts = readInstallScripts(r.lines);
  if (scripts.ran.length) log(`install scripts that ran: ${scripts.ran.join(', ')}`);
  if (r.status === 0) return;
  if (scripts.failed.length) {
    const which = scripts.failed.map((f) => {
      const last = f.lastLine && f.lastLine !== f.firstError ? `\n      last line: ${f.lastLine}` : '';
      return `  ${f.name} (${f.script} script): ${f.firstError || f.lastLine || 'no output'}${last}`;
    });
    throw new SetupError(`pnpm install failed in these install scripts:\n${which.join('\n')}`);
  }
  const err = r.lines.find((l) => /ERR_PNPM_|ERROR/.test(l));
  throw new SetupError(`pnpm install failed: ${err?.trim() ?? 'see the messages above'}`);
}
