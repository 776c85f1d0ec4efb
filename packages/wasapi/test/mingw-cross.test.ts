// The WASAPI backend cross-compiles with mingw-w64 into a Windows addon for node.exe. (Running it under
// Wine against the null sink is not automated yet; see the README's Status.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('win32-x64 cross-compile (mingw-w64)', () => {
  // Asynchronous on purpose: a compile blocking this worker for over a minute makes vitest's worker RPC time out.
  it('builds a PE addon exporting napi_register_module_v1 that imports N-API from node.exe', async () => {
    const build = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'build-win-mingw.mjs')], {
      encoding: 'utf8',
    });
    expect(build.stderr).toContain('built');
    const dump = await promisify(execFile)(
      'x86_64-w64-mingw32-objdump',
      ['-p', join(root, 'build', 'win32-x64', 'voxwire_wasapi.node')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(dump.stdout).toContain('napi_register_module_v1');
    expect(dump.stdout).toMatch(/DLL Name: node\.exe/);
    expect(dump.stdout).toMatch(/DLL Name: AVRT\.dll/i);
    expect(dump.stdout).toMatch(/DLL Name: ole32\.dll/i);
  }, 240_000);
});
