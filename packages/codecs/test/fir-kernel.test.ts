import { describe, expect, it } from 'vitest';
import { firKernel, jsKernel } from '../src/fir-kernel.js';

describe('FIR kernels', () => {
  it('uses WebAssembly SIMD on this Node', () => {
    expect(firKernel.name).toBe('wasm-simd');
  });

  it.each([
    [1, 3],
    [3, 2],
    [160, 147],
    [2, 1],
  ])('SIMD and JS kernels compute the same polyphase sums (L=%i, M=%i)', (L, M) => {
    const K = 48;
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const coef = Float32Array.from({ length: K * L }, rand);
    const x = Float32Array.from({ length: 4000 }, rand);
    const count = 300;
    const a = new Float32Array(count);
    const b = new Float32Array(count);
    const stepK = Math.floor(M / L);
    jsKernel.run(coef, K, L, stepK, M - stepK * L, x, x.length, K + 5, L - 1, count, a);
    firKernel.run(coef, K, L, stepK, M - stepK * L, x, x.length, K + 5, L - 1, count, b);
    let worst = 0;
    for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.1);
  });
});
