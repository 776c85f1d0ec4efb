// ALSA is only chosen automatically when its default device opens: a machine with libasound but no sound
// card (a container, a CI runner) must fall back rather than pick a plugin name as a microphone.
// ALSA_CONFIG_PATH points libasound at a configuration written here, so the answer does not depend on the host.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');
const dir = mkdtempSync(join(tmpdir(), 'vx-alsa-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function backendsWith(config: string): {
  backends: { name: string; available: boolean; reason?: string }[];
  stderr: string;
} {
  const file = join(dir, `alsa-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, config);
  const script = `import * as audio from ${JSON.stringify(pathToFileURL(dist).href)};
    console.log(JSON.stringify(audio.listBackends()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
    // No PulseAudio either, so the answer is ALSA's alone.
    env: { ...process.env, ALSA_CONFIG_PATH: file, PULSE_SERVER: 'unix:/nonexistent/voxwire-test' },
  });
  return { backends: JSON.parse(r.stdout), stderr: r.stderr };
}

describe('ALSA as the automatic choice', () => {
  it('is not offered when its default device does not open, and says why without ALSA noise', () => {
    const { backends, stderr } = backendsWith('# no devices at all\n');
    const alsa = backends.find((b) => b.name === 'alsa');
    expect(alsa?.available).toBe(false);
    expect(alsa?.reason).toMatch(/default device does not open/);
    expect(backends.find((b) => b.name === 'null')?.available).toBe(true);
    expect(stderr).toBe('');
  });

  it('is offered when its default device opens', () => {
    const { backends } = backendsWith('pcm.!default { type null }\n');
    expect(backends.find((b) => b.name === 'alsa')?.available).toBe(true);
  });
});
