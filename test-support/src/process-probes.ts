// What the hostile-input suites assert with: this process's open file descriptors, RSS and heap after a full
// garbage collection, so that retained growth is not confused with garbage not yet collected.
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Open file descriptors of this process (Linux: /proc/self/fd). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resident set size of this process, in MiB. */
export function rssMiB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

let collect: (() => void) | undefined;

/**
 * Heap in use after a full garbage collection, in MiB: what the process still holds, not what it has yet
 * to free (the collector is reached without `--expose-gc`, through a fresh context).
 */
export function heapAfterGcMiB(): number {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}
