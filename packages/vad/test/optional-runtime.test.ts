import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built package, loaded in a fresh Node process where `onnxruntime-node` cannot be resolved: EnergyVad
// users must not notice, and SileroVad.create must fail with the install hint.
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const useWithoutRuntime = `
  const vad = new m.EnergyVad();
  const p = vad.process({ data: new Int16Array(320), sampleRate: 16000, channels: 1, position: 0 });
  let error;
  try { await m.SileroVad.create(); } catch (e) { error = e; }
  console.log(JSON.stringify({ p, code: error?.code, message: error?.message }));
`;

function runNode(args: string[]): { p: number; code: string; message: string } {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', cwd: '/' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

describe('without onnxruntime-node installed', () => {
  it('the package is built (run `pnpm --filter @voxwire/vad build` first)', () => {
    expect(existsSync(`${dist}index.js`) && existsSync(`${dist}index.cjs`)).toBe(true);
  });

  const hook = `export async function resolve(s, c, next) {
    if (s === 'onnxruntime-node') throw Object.assign(new Error('Cannot find package onnxruntime-node'), { code: 'ERR_MODULE_NOT_FOUND' });
    return next(s, c);
  }`;
  const register = `require('node:module').register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;

  it('ESM: EnergyVad works and SileroVad says what to install', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      ${register}
      const m = await import(${JSON.stringify(`${dist}index.js`)});
      ${useWithoutRuntime}`;
    const r = runNode(['--input-type=module', '-e', script]);
    expect(r.p).toBeLessThan(0.5);
    expect(r.code).toBe('RUNTIME_MISSING');
    expect(r.message).toMatch(/npm install onnxruntime-node/);
  });

  it('CJS: EnergyVad works and SileroVad says what to install', () => {
    const script = `
      ${register}
      const m = require(${JSON.stringify(`${dist}index.cjs`)});
      (async () => { ${useWithoutRuntime} })();`;
    const r = runNode(['-e', script]);
    expect(r.p).toBeLessThan(0.5);
    expect(r.code).toBe('RUNTIME_MISSING');
    expect(r.message).toMatch(/npm install onnxruntime-node/);
  });
});
