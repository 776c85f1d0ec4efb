#!/usr/bin/env node
// voxwire-patch-werift: applies @voxwire/webrtc's werift patch to the installed werift, for apps installed
// with npm or yarn (pnpm apps can use patchedDependencies instead). Meant for a postinstall script.
import { sep } from 'node:path';
import { parseArgs } from 'node:util';
import { WebRtcError } from './errors.js';
import { applyWeriftPatch, WERIFT_PATCH_VERSION } from './werift-patch-apply.js';

const USAGE = `Usage: voxwire-patch-werift [options]

Applies @voxwire/webrtc's per-packet patch to the installed werift ${WERIFT_PATCH_VERSION} (about 1.2x less CPU
per audio frame). Idempotent: run it from your app's postinstall script.

Options:
  --dir <path>   the werift folder (default: the werift @voxwire/webrtc loads)
  --check        change nothing; exit 0 when the patch is fully applied, 1 when not
  --reverse      remove the patch
  -h, --help     show this help`;

function main(): number {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      check: { type: 'boolean' },
      reverse: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.check && values.reverse) {
    // --check reports whether the patch is in place; a reversed dry run would report the opposite.
    console.error('voxwire-patch-werift: --check and --reverse cannot be combined');
    return 2;
  }
  const result = applyWeriftPatch({
    weriftDir: values.dir,
    reverse: values.reverse === true,
    dryRun: values.check === true,
  });
  const where = result.weriftDir;
  if (values.check) {
    // Forward dry run: nothing left to apply means the patch is in place.
    const done = result.applied === 0;
    console.log(`werift at ${where}: ${done ? 'patched' : `${result.applied} hunk(s) not applied`}`);
    return done ? 0 : 1;
  }
  const verb = values.reverse ? 'removed' : 'applied';
  console.log(
    `werift at ${where}: ${result.applied} hunk(s) ${verb}, ${result.alreadyApplied} already so (${result.filesWritten.length} file(s) written)`,
  );
  if (where.includes(`${sep}.pnpm${sep}`)) {
    console.error(
      'note: with pnpm, patchedDependencies keeps the patch across installs (see @voxwire/webrtc README)',
    );
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  const message = err instanceof WebRtcError || err instanceof TypeError ? err.message : String(err);
  console.error(`voxwire-patch-werift: ${message}`);
  process.exitCode = 1;
}
