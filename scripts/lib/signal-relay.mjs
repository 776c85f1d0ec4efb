// Running a child that outlives a signal to this process: the setup script's re-exec on a supported Node and
// `npm start`'s agent both wait for their child and decide which stop signals reach it.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { SetupError } from './log.mjs';

/**
 * Runs `cmd` with inherited output and resolves with its exit status (128 + the signal number when a signal
 * ended it). While it runs, the signals in `pass` that this process gets are sent on to it (with `once`, only
 * the first of them), and those in `ignore` no longer end this process: it waits for the child instead.
 *
 * The child gets an IPC channel besides the inherited output, which nothing writes to: when this process dies
 * without passing a signal on (SIGKILL), the channel closes, and a child that loaded `end-with-parent.mjs`
 * stops itself with SIGTERM.
 */
export function runPassingSignals(cmd, args, opts, { pass, ignore = [], once = false }) {
  const child = spawn(cmd, args, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], ...opts });
  let passed = false;
  const relay = (signal) => {
    if (once && passed) return;
    passed = true;
    child.kill(signal);
  };
  const wait = () => {};
  for (const s of pass) process.on(s, relay);
  for (const s of ignore) process.on(s, wait);
  const done = () => {
    for (const s of pass) process.off(s, relay);
    for (const s of ignore) process.off(s, wait);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      done();
      reject(new SetupError(`could not run ${cmd}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}
