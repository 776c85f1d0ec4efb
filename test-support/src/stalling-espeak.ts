// Fault injection for speech engines: a hung espeak-ng process, shared by the speech and realtime-server
// hostile suites.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes an executable `espeak-stall` into `dir` and returns its path: text containing `STALL` never
 * finishes (the process sleeps for an hour); anything else is spoken by the real espeak-ng.
 */
export function writeStallingEspeak(dir: string): string {
  const path = join(dir, 'espeak-stall');
  writeFileSync(path, '#!/bin/sh\ncase "$*" in *STALL*) exec sleep 3600;; esac\nexec espeak-ng "$@"\n');
  chmodSync(path, 0o755);
  return path;
}
