// applyWeriftPatch (behind `voxwire-patch-werift`) on copies of the workspace's werift: it removes and
// re-applies the shipped patch byte for byte like the `patch` program, is a no-op the second time, and
// writes nothing when a file fits neither side of a hunk or the werift is another version.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyWeriftPatch, installedWeriftDir, WebRtcError } from '../src/index.js';

const PATCH = join(import.meta.dirname, '..', '..', '..', 'patches', 'werift@0.25.2.patch');
const PATCH_TEXT = readFileSync(PATCH, 'utf8');
const HUNKS = PATCH_TEXT.split('\n').filter((l) => l.startsWith('@@ ')).length;
const FILES = PATCH_TEXT.split('\n')
  .filter((l) => l.startsWith('+++ b/'))
  .map((l) => l.slice('+++ b/'.length));
const work = mkdtempSync(join(tmpdir(), 'voxwire-werift-patch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the werift this workspace runs (pnpm has applied the patch to it). */
function patchedCopy(name: string): string {
  const dir = join(work, name);
  cpSync(installedWeriftDir(), dir, { recursive: true, dereference: true });
  return dir;
}

const read = (dir: string) => FILES.map((f) => readFileSync(join(dir, f), 'utf8'));

describe('applyWeriftPatch', () => {
  it('removes the patch as `patch -R` does and puts it back byte for byte; a second run changes nothing', () => {
    const ours = patchedCopy('ours');
    const theirs = patchedCopy('theirs');
    const patched = read(ours);

    const removed = applyWeriftPatch({ weriftDir: ours, patchFile: PATCH, reverse: true });
    expect(removed).toMatchObject({ applied: HUNKS, alreadyApplied: 0 });
    expect(removed.filesWritten).toHaveLength(FILES.length);
    execFileSync('patch', ['-R', '-p1', '-s', '-d', theirs, '-i', PATCH]);
    expect(read(ours)).toEqual(read(theirs));
    expect(readFileSync(join(ours, 'lib', 'index.mjs'), 'utf8')).not.toContain('sendRtpNow(');

    // Checking changes nothing and says how much is missing.
    expect(applyWeriftPatch({ weriftDir: ours, patchFile: PATCH, dryRun: true })).toMatchObject({
      applied: HUNKS,
      filesWritten: [],
    });
    expect(read(ours)).toEqual(read(theirs));

    expect(applyWeriftPatch({ weriftDir: ours, patchFile: PATCH })).toMatchObject({ applied: HUNKS });
    expect(read(ours)).toEqual(patched);
    const again = applyWeriftPatch({ weriftDir: ours, patchFile: PATCH });
    expect(again).toMatchObject({ applied: 0, alreadyApplied: HUNKS, filesWritten: [] });
  });

  it('writes nothing when one file fits neither the published nor the patched text', () => {
    const dir = patchedCopy('edited');
    applyWeriftPatch({ weriftDir: dir, patchFile: PATCH, reverse: true });
    const before = read(dir);
    // Edit a line inside the first hunk of the last file: every other file would still apply.
    const last = join(dir, FILES[FILES.length - 1]);
    const hunkLine = PATCH_TEXT.split(`+++ b/${FILES[FILES.length - 1]}`)[1]
      .split('\n')
      .find((l) => l.startsWith('-') && l.trim().length > 8);
    expect(hunkLine).toBeDefined();
    const text = readFileSync(last, 'utf8');
    const published = hunkLine?.slice(1) ?? '';
    expect(text).toContain(published);
    writeFileSync(last, text.replace(published, `${published} // edited`));
    const edited = read(dir);
    let error: unknown;
    try {
      applyWeriftPatch({ weriftDir: dir, patchFile: PATCH });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WebRtcError);
    expect((error as WebRtcError).code).toBe('PATCH_FAILED');
    expect((error as WebRtcError).message).toMatch(/matches neither/);
    expect(read(dir)).toEqual(edited);
    expect(read(dir)).not.toEqual(before);
  });

  it('refuses another werift version and a folder without werift', () => {
    const dir = patchedCopy('other-version');
    const pkg = join(dir, 'package.json');
    writeFileSync(pkg, readFileSync(pkg, 'utf8').replace('"version": "0.25.2"', '"version": "0.26.0"'));
    expect(() => applyWeriftPatch({ weriftDir: dir, patchFile: PATCH })).toThrow(
      /fits werift 0\.25\.2; .* holds werift 0\.26\.0/,
    );
    expect(() => applyWeriftPatch({ weriftDir: work, patchFile: PATCH })).toThrow(/no werift package/);
  });
});
