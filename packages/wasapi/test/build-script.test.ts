import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'build-native.mjs');

describe('native build script', () => {
  it('without a compiler, says what is missing, how to install it and how to run it again (no stack trace)', () => {
    // A PATH holding only node: c++, g++ and clang++ are all missing.
    const bin = mkdtempSync(join(tmpdir(), 'voxwire-nocc-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = spawnSync(join(bin, 'node'), [script], {
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env.HOME ?? '/tmp' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing a C++17 compiler');
    expect(r.stderr).toContain('sudo apt-get install -y g++');
    expect(r.stderr).toContain('npx voxwire-wasapi-build');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
