// Applies (or removes) the shipped werift patch with Node alone: no `patch` program, so the same postinstall
// works on Windows, and a second run is a no-op. A unified diff of exact text: every hunk must match its
// context somewhere near the line it names, or nothing is written.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebRtcError } from './errors.js';

/** The werift version the shipped patch was made against. */
export const WERIFT_PATCH_VERSION = '0.25.2';

/** Largest patch file read (the shipped one is about 50 KB). */
const MAX_PATCH_BYTES = 4 << 20;

interface Hunk {
  /** 0-based line where the old text starts, as the patch says. */
  at: number;
  /** 0-based line where the new text starts. */
  atNew: number;
  old: string[];
  new: string[];
}

interface FilePatch {
  path: string;
  hunks: Hunk[];
}

/** What {@link applyWeriftPatch} did. */
export interface WeriftPatchResult {
  /** The werift folder patched. */
  weriftDir: string;
  /** Hunks written by this call. */
  applied: number;
  /** Hunks found already in place (a second run, or a werift patched another way). */
  alreadyApplied: number;
  /** Files rewritten. */
  filesWritten: string[];
}

/** Options of {@link applyWeriftPatch}. */
export interface WeriftPatchOptions {
  /** The werift folder. Default: the werift that `@voxwire/webrtc` itself loads. */
  weriftDir?: string;
  /** The patch file. Default: the one shipped in this package's `dist/`. */
  patchFile?: string;
  /** Remove the patch instead of applying it. */
  reverse?: boolean;
  /** Check only: report what would change, write nothing. */
  dryRun?: boolean;
}

/** Splits a unified diff (as `git diff` and `pnpm patch-commit` write it) into files and hunks. */
export function parseUnifiedDiff(text: string): FilePatch[] {
  const files: FilePatch[] = [];
  const lines = text.split('\n');
  let file: FilePatch | undefined;
  let hunk: Hunk | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of lines) {
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const tag = line[0];
      const body = line.slice(1);
      if (tag === ' ' || (line === '' && oldLeft > 0 && newLeft > 0)) {
        hunk.old.push(body);
        hunk.new.push(body);
        oldLeft--;
        newLeft--;
      } else if (tag === '-') {
        hunk.old.push(body);
        oldLeft--;
      } else if (tag === '+') {
        hunk.new.push(body);
        newLeft--;
      } else if (tag !== '\\') {
        throw new WebRtcError('PATCH_FAILED', `malformed hunk in ${file?.path}: ${line.slice(0, 80)}`);
      }
      continue;
    }
    if (line.startsWith('+++ ')) {
      const path = line.slice(4).replace(/^b\//, '');
      file = { path, hunks: [] };
      files.push(file);
      hunk = undefined;
    } else if (line.startsWith('@@ ') && file) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) throw new WebRtcError('PATCH_FAILED', `malformed hunk header: ${line.slice(0, 80)}`);
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
      hunk = { at: Math.max(0, Number(m[1]) - 1), atNew: Math.max(0, Number(m[3]) - 1), old: [], new: [] };
      file.hunks.push(hunk);
    }
  }
  if (hunk && (oldLeft > 0 || newLeft > 0))
    throw new WebRtcError('PATCH_FAILED', `the patch ends inside a hunk of ${file?.path}`);
  return files;
}

/** Whether `lines` has `want` starting at `at`. */
function matchesAt(lines: string[], want: string[], at: number): boolean {
  if (at < 0 || at + want.length > lines.length) return false;
  for (let i = 0; i < want.length; i++) if (lines[at + i] !== want[i]) return false;
  return true;
}

/** The start nearest to `near` where `lines` has `want`, or -1. */
function findNear(lines: string[], want: string[], near: number): number {
  const limit = Math.max(near, lines.length - near);
  for (let d = 0; d <= limit; d++) {
    if (matchesAt(lines, want, near + d)) return near + d;
    if (d > 0 && matchesAt(lines, want, near - d)) return near - d;
  }
  return -1;
}

/**
 * Where a hunk's `from` text is to be replaced: exactly where the patch says first (hunks earlier in the file
 * may have moved it, hence `near`), then the nearest match. `'already'` when the `to` text stands there (or
 * anywhere, failing a match of `from`), `'missing'` when neither does.
 */
function locate(lines: string[], from: string[], to: string[], near: number): number | 'already' | 'missing' {
  if (matchesAt(lines, from, near)) return near;
  if (matchesAt(lines, to, near)) return 'already';
  const at = findNear(lines, from, near);
  if (at >= 0) return at;
  return findNear(lines, to, near) >= 0 ? 'already' : 'missing';
}

/**
 * Applies `file`'s hunks to `text` (or removes them, `reverse`). Returns the new text and the counts.
 * @throws WebRtcError `PATCH_FAILED` when a hunk matches neither before nor after
 */
function patchText(
  text: string,
  file: FilePatch,
  reverse: boolean,
): { text: string; applied: number; already: number } {
  const lines = text.split('\n');
  let offset = 0;
  let applied = 0;
  let already = 0;
  for (const hunk of file.hunks) {
    const [from, to] = reverse ? [hunk.new, hunk.old] : [hunk.old, hunk.new];
    const line = reverse ? hunk.atNew : hunk.at;
    const at = locate(lines, from, to, line + offset);
    if (at === 'already') {
      already++;
    } else if (at === 'missing') {
      throw new WebRtcError(
        'PATCH_FAILED',
        `${file.path}: a hunk at line ${line + 1} matches neither the ${reverse ? 'patched' : 'published'} nor the ${reverse ? 'published' : 'patched'} text`,
      );
    } else {
      lines.splice(at, from.length, ...to);
      offset += to.length - from.length;
      applied++;
    }
  }
  return { text: lines.join('\n'), applied, already };
}

/** The werift folder `@voxwire/webrtc` loads: its CommonJS entry, then up to the package.json named werift. */
export function installedWeriftDir(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('werift'));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'werift')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new WebRtcError('PATCH_FAILED', 'werift is installed without its package.json');
    dir = up;
  }
}

function shippedPatchFile(): string {
  // dist/ holds both this module (bundled) and the patch file.
  return join(dirname(fileURLToPath(import.meta.url)), `werift@${WERIFT_PATCH_VERSION}.patch`);
}

/**
 * Applies the shipped werift patch to an installed werift 0.25.2 (or removes it), with Node alone. All
 * files are checked before any is written; each is replaced by a new file (a rename), so a package
 * manager's hard-linked store copy is never modified in place. Idempotent: hunks already in place count as
 * `alreadyApplied`.
 *
 * @throws WebRtcError `PATCH_FAILED` for another werift version, a werift whose files differ from both the
 * published and the patched text, or an unreadable patch
 */
export function applyWeriftPatch(options: WeriftPatchOptions = {}): WeriftPatchResult {
  const weriftDir = resolve(options.weriftDir ?? installedWeriftDir());
  const pkgFile = join(weriftDir, 'package.json');
  if (!existsSync(pkgFile)) throw new WebRtcError('PATCH_FAILED', `no werift package in ${weriftDir}`);
  const { name, version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: string; version?: string };
  if (name !== 'werift' || version !== WERIFT_PATCH_VERSION) {
    throw new WebRtcError(
      'PATCH_FAILED',
      `the patch fits werift ${WERIFT_PATCH_VERSION}; ${weriftDir} holds ${name ?? '?'} ${version ?? '?'}`,
    );
  }
  const patchFile = options.patchFile ?? shippedPatchFile();
  const patch = readFileSync(patchFile);
  if (patch.length > MAX_PATCH_BYTES) throw new WebRtcError('PATCH_FAILED', `${patchFile} is too large`);
  const result: WeriftPatchResult = { weriftDir, applied: 0, alreadyApplied: 0, filesWritten: [] };
  const writes: Array<[string, string]> = [];
  for (const file of parseUnifiedDiff(patch.toString('utf8'))) {
    const target = resolve(weriftDir, file.path);
    if (!target.startsWith(weriftDir + sep))
      throw new WebRtcError('PATCH_FAILED', `the patch names a file outside werift: ${file.path}`);
    const before = readFileSync(target, 'utf8');
    const out = patchText(before, file, options.reverse === true);
    result.applied += out.applied;
    result.alreadyApplied += out.already;
    if (out.text !== before) writes.push([target, out.text]);
  }
  if (!options.dryRun) {
    for (const [target, text] of writes) {
      const tmp = `${target}.voxwire-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, target);
      result.filesWritten.push(target);
    }
  }
  return result;
}
