// A backend whose system library cannot be loaded says which library, why (dlerror), and what to install,
// while the other backends keep working.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');

describe('a system audio library that cannot be loaded', () => {
  it('is reported with the loader’s reason and the package to install; the null backend still works', () => {
    // A broken libpulse.so.0 / libasound.so.2 found first on the library path: dlopen fails with its own reason.
    const dir = mkdtempSync(join(tmpdir(), 'vx-broken-libs-'));
    try {
      writeFileSync(join(dir, 'libpulse.so.0'), 'not an ELF file');
      writeFileSync(join(dir, 'libasound.so.2'), 'not an ELF file');
      const script = `import * as audio from ${JSON.stringify(pathToFileURL(dist).href)};
        const c = new audio.AudioCapture({ backend: 'null', deviceId: 'null:tone-440' });
        c.start(); c.close();
        console.log(JSON.stringify(audio.listBackends()));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, LD_LIBRARY_PATH: dir },
      });
      expect(r.stderr).toBe('');
      const backends = JSON.parse(r.stdout) as { name: string; available: boolean; reason?: string }[];
      const pulse = backends.find((b) => b.name === 'pulse');
      const alsa = backends.find((b) => b.name === 'alsa');
      expect(pulse?.available).toBe(false);
      expect(pulse?.reason).toMatch(/libpulse\.so\.0 could not be loaded: .*(too short|invalid ELF|ELF)/);
      expect(pulse?.reason).toMatch(/apt-get install -y libpulse0/);
      expect(alsa?.available).toBe(false);
      expect(alsa?.reason).toMatch(/libasound\.so\.2 could not be loaded: /);
      expect(backends.find((b) => b.name === 'null')?.available).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
