// `npm start -- <agent>`: runs an example agent's `start` script ("tsx <file>") as one Node process with tsx's
// loader, instead of through `pnpm start` → sh → tsx's CLI → Node. Through those layers a Ctrl-C reached every
// one of them: the agent shut down cleanly and exited 0, yet pnpm reported "Command failed with signal
// SIGINT", and a SIGTERM sent to npm alone stopped this script but left the agent running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from './log.mjs';
import { runPassingSignals } from './signal-relay.mjs';

const END_WITH_PARENT = fileURLToPath(new URL('./end-with-parent.mjs', import.meta.url));

/** The file an example's `start` script runs with tsx. */
export function agentEntry(dir) {
  const start = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.start ?? '';
  const m = /^tsx (\S+)$/.exec(start);
  if (!m) throw new SetupError(`${dir}: its start script is ${JSON.stringify(start)}, not "tsx <file>"`);
  return m[1];
}

/**
 * Runs the agent in `dir` with `args` and resolves with its exit status (128 + the signal number when a signal
 * ended it). The agent runs in its own process group, so this process is the only one that signals it: the
 * first SIGINT, SIGTERM or SIGHUP this process gets (a Ctrl-C, or npm passing on a supervisor's SIGTERM) is
 * passed on once, and the agent's own handler shuts it down. Later ones are not passed on: npm relays the
 * terminal's SIGINT a second time, and a second signal would kill the agent in the middle of its shutdown.
 * None of the agents reads stdin, which a process outside the terminal's foreground group could not.
 *
 * Being in its own group, the agent would outlive a SIGKILL of this process (nothing passes that on):
 * `end-with-parent.mjs`, loaded before the agent, stops it with SIGTERM when this process is gone.
 */
export function runAgent(dir, args, env) {
  return runPassingSignals(
    process.execPath,
    ['--import', END_WITH_PARENT, '--import', 'tsx', agentEntry(dir), ...args],
    { cwd: dir, env, detached: true },
    { pass: ['SIGINT', 'SIGTERM', 'SIGHUP'], once: true },
  );
}
