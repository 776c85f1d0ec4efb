// Messages of the setup script, and the one error type it reports without a stack trace.
import { spawnSync } from 'node:child_process';

/** A failure the user can act on: printed as one message, without a stack trace. */
export class SetupError extends Error {}

export function log(msg) {
  process.stderr.write(`[voxwire] ${msg}\n`);
}

/** Runs a command with inherited output; returns its exit status. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new SetupError(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

/** Runs a command for its output; null when it could not be started. */
export function quiet(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return r.error ? null : r;
}
