// The loader's order and explanations: a platform package that is not installed, one installed without
// its binary, a file that is not a loadable addon, then the local build, which loads; and the report of
// why each earlier place was skipped.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioDeviceError } from '../src/errors.js';
import { bindingReport, loadBindingFrom } from '../src/native.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'voxwire-loader-'));
// The arm64 package is never loadable on this machine; a release build (build:release) may have staged
// its real binary there, which these tests set aside and put back.
const arm64Binary = join(root, '..', 'wasapi-linux-arm64-gnu', 'voxwire_wasapi.linux-arm64-gnu.node');
const setAside = join(dir, 'release-arm64.node');
if (existsSync(arm64Binary)) {
  copyFileSync(arm64Binary, setAside);
  rmSync(arm64Binary);
}
afterAll(() => {
  if (existsSync(setAside)) copyFileSync(setAside, arm64Binary);
  rmSync(dir, { recursive: true, force: true });
});

describe('native loader', () => {
  it('falls back past missing/broken platform binaries to the local build and says why', () => {
    const corrupt = join(dir, 'corrupt.node');
    writeFileSync(corrupt, 'this is not a shared object\n');
    const local = join(root, 'build', 'Release', 'voxwire_wasapi.node');
    const binding = loadBindingFrom([
      { candidate: '@voxwire/wasapi-nowhere-x64', isPath: false },
      // linked into node_modules as an optional workspace dependency, never staged on an x64 machine
      { candidate: '@voxwire/wasapi-linux-arm64-gnu', isPath: false },
      { candidate: corrupt, isPath: true },
      { candidate: local, isPath: true },
    ]);
    expect(binding.backends().map((b) => b.name)).toContain('null');
    const report = bindingReport();
    expect(report?.loadedFrom).toBe(local);
    expect(report?.skipped).toHaveLength(3);
    expect(report?.skipped[0]).toMatch(/^@voxwire\/wasapi-nowhere-x64: package not installed/);
    expect(report?.skipped[1]).toMatch(
      /^@voxwire\/wasapi-linux-arm64-gnu: package installed at .*wasapi-linux-arm64-gnu but its binary voxwire_wasapi\.linux-arm64-gnu\.node is missing$/,
    );
    expect(report?.skipped[2]).toContain(`${corrupt}: `);
    expect(report?.skipped[2]).toMatch(/invalid ELF header|file too short/);
  });

  it('throws an AudioDeviceError NATIVE_LOAD_FAILED listing every attempt and the fix when nothing loads', () => {
    let error: unknown;
    try {
      loadBindingFrom([
        { candidate: '@voxwire/wasapi-linux-arm64-gnu', isPath: false },
        { candidate: join(dir, 'none.node'), isPath: true },
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AudioDeviceError);
    expect((error as AudioDeviceError).code).toBe('NATIVE_LOAD_FAILED');
    const message = (error as Error).message;
    expect(message).toContain('its binary voxwire_wasapi.linux-arm64-gnu.node is missing');
    expect(message).toContain(`${join(dir, 'none.node')}: not found`);
    expect(message).toContain('npx voxwire-wasapi-build');
    expect(message).not.toContain('pnpm --filter');
  });

  it('prefers the platform package when it holds the binary (staged like `napi artifacts`)', async () => {
    const { spawnSync } = await import('node:child_process');
    const staged = join(root, '..', 'wasapi-linux-arm64-gnu', 'voxwire_wasapi.linux-arm64-gnu.node');
    // An x64 binary in the arm64 package still loads on this x64 machine: enough to prove the order.
    const stage = spawnSync(
      process.execPath,
      [
        join(root, 'scripts', 'stage-binary.mjs'),
        'linux-arm64-gnu',
        join(root, 'build', 'Release', 'voxwire_wasapi.node'),
      ],
      { encoding: 'utf8' },
    );
    expect(stage.stderr).toContain('staged');
    try {
      loadBindingFrom([
        { candidate: '@voxwire/wasapi-linux-arm64-gnu', isPath: false },
        { candidate: join(dir, 'none.node'), isPath: true },
      ]);
      expect(bindingReport()).toEqual({ loadedFrom: staged, skipped: [] });
    } finally {
      rmSync(staged, { force: true });
    }
  });
});
