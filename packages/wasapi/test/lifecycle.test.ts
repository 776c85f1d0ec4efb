// Life-cycle tests against the built package (dist/): child processes and workers load it the way
// users do. The test command builds first; `pnpm --filter @voxwire/wasapi build` when running alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AudioCapture } from '../src/index.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');

function runChild(
  body: string,
  flags: string[] = [],
): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const script = `import * as audio from ${JSON.stringify(pathToFileURL(dist).href)};\n${body}`;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('life cycle', () => {
  it('built package exists (run the build first)', () => {
    expect(existsSync(dist)).toBe(true);
  });

  it('opens, starts and closes 1,000 streams with flat RSS', () => {
    // In a child with --expose-gc, so that the measurement is of this package alone.
    const r = runChild(
      `
      const cycle = () => {
        const c = new audio.AudioCapture({ backend: 'null', deviceId: 'null:tone-440' });
        c.start();
        c.close();
        const p = new audio.AudioPlayback({ backend: 'null' });
        p.write({ data: new Int16Array(480), sampleRate: 48000, channels: 1, position: 0 });
        p.start();
        p.close();
      };
      const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); } };
      for (let i = 0; i < 500; i++) cycle();
      await settle();
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 1000; i++) cycle();
      await settle();
      console.log(JSON.stringify({ growth: process.memoryUsage().rss - before }));
    `,
      ['--expose-gc'],
    );
    expect(r.stderr).toBe('');
    const { growth } = JSON.parse(r.stdout) as { growth: number };
    // 2,000 streams with 32 KB rings each would add 64 MB if they were not released; what remains is
    // allocator and V8 heap noise (a few MB, not growing with the count).
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  });

  it('a child process exits cleanly with running streams (process.exit and a natural end)', () => {
    const exitNow = runChild(`
      const c = new audio.AudioCapture({ backend: 'null', deviceId: 'null:tone-440' }).start();
      const p = new audio.AudioPlayback({ backend: 'null' }).start();
      c.on('audio', (f) => { p.write(f); });
      setTimeout(() => { console.log('frames', c.stats().position > 0); process.exit(0); }, 100);
    `);
    expect(exitNow.stderr).toBe('');
    expect(exitNow.signal).toBeNull();
    expect(exitNow.status).toBe(0);
    expect(exitNow.stdout.trim()).toBe('frames true');

    // unref'd streams let the loop end; the environment cleanup hook stops their threads
    const natural = runChild(`
      const c = new audio.AudioCapture({ backend: 'null' }).start().unref();
      const p = new audio.AudioPlayback({ backend: 'null' }).start().unref();
      setTimeout(() => console.log('done', c.state, p.state), 50);
    `);
    expect(natural.stderr).toBe('');
    expect(natural.status).toBe(0);
    expect(natural.stdout.trim()).toBe('done running running');

    // an uncaught exception with streams open still exits with the error, not a crash
    const thrown = runChild(`
      new audio.AudioCapture({ backend: 'null' }).start();
      setTimeout(() => { throw new Error('boom'); }, 30);
    `);
    expect(thrown.signal).toBeNull();
    expect(thrown.status).toBe(1);
    expect(thrown.stderr).toContain('boom');
  });

  it('a running stream keeps the process alive until it is stopped', () => {
    const r = runChild(`
      const c = new audio.AudioCapture({ backend: 'null' }).start();
      let n = 0;
      c.on('audio', () => { if (++n === 5) { c.stop(); console.log('stopped'); } });
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('stopped');
  });

  it('works in a worker, which can be terminated with a stream running', async () => {
    const source = `
      import { parentPort } from 'node:worker_threads';
      import * as audio from ${JSON.stringify(pathToFileURL(dist).href)};
      const c = new audio.AudioCapture({ backend: 'null', deviceId: 'null:tone-1000', sampleRate: 16000 });
      let frames = 0;
      c.on('audio', (f) => {
        frames += f.data.length;
        if (frames >= 1600) parentPort.postMessage({ frames, peak: Math.max(...f.data) });
      });
      c.start();
    `;
    const run = async () => {
      const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
      const msg = await new Promise<{ frames: number; peak: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const code = await worker.terminate();
      return { msg, code };
    };
    const a = await run();
    expect(a.msg.frames).toBeGreaterThanOrEqual(1600);
    expect(a.msg.peak).toBeGreaterThan(3000); // -20 dBFS tone = 3277 peak
    expect(a.code).toBe(1); // terminate()'s exit code
    // twice more: each worker loads its own addon instance and tears it down
    await run();
    await run();
    // the main thread's instance is unaffected
    const c = new AudioCapture({ backend: 'null' });
    c.start();
    await new Promise<void>((resolve) => c.once('readable', resolve));
    await c.close();
  });
});
