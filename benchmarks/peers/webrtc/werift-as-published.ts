// werift exactly as npm publishes it, beside the patched copy the workspace installs: what a user of
// @voxwire/webrtc gets from npm (pnpm's patchedDependencies apply only inside this workspace). Made by copying
// the installed werift and removing patches/werift@0.25.2.patch with @voxwire/webrtc's own patcher, in
// benchmarks/.cache; its dependencies are links to the installed ones.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyWeriftPatch, installedWeriftDir } from '@voxwire/webrtc';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PATCH = join(ROOT, 'patches', 'werift@0.25.2.patch');
const HOME = join(ROOT, 'benchmarks', '.cache', 'werift-as-published', 'node_modules');

/**
 * The file URL of unpatched werift's ESM entry (`lib/index.mjs`), made on first use and again whenever the patch
 * file changes.
 * @throws Error when the patch does not reverse-apply (the installed werift is not the patched 0.25.2)
 */
export function weriftAsPublished(): string {
  const patch = readFileSync(PATCH);
  const stamp = createHash('sha256').update(patch).digest('hex');
  const pkg = join(HOME, 'werift');
  const stampFile = join(HOME, '.patch-sha256');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(HOME, { recursive: true, force: true });
    mkdirSync(HOME, { recursive: true });
    const installed = installedWeriftDir();
    cpSync(installed, pkg, { recursive: true });
    applyWeriftPatch({ weriftDir: pkg, patchFile: PATCH, reverse: true });
    // werift's own dependencies sit beside it in pnpm's virtual store: link them beside the copy.
    const siblings = dirname(installed);
    for (const name of readdirSync(siblings)) {
      if (name === 'werift' || name === '.bin') continue;
      if (name.startsWith('@')) {
        mkdirSync(join(HOME, name), { recursive: true });
        for (const sub of readdirSync(join(siblings, name)))
          symlinkSync(realpathSync(join(siblings, name, sub)), join(HOME, name, sub));
      } else symlinkSync(realpathSync(join(siblings, name)), join(HOME, name));
    }
    writeFileSync(stampFile, stamp);
  }
  return pathToFileURL(join(pkg, 'lib', 'index.mjs')).href;
}
