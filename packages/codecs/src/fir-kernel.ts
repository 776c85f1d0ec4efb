/**
 * The inner loop of the resampler: for `count` consecutive outputs, a dot product of one polyphase branch
 * (K taps) with K input samples, stepping phase and position by the rational ratio. Two implementations
 * with the same contract: a WebAssembly SIMD kernel (f32x4, four accumulators; the module is assembled
 * below from its opcodes, 300 bytes, no build step) and a plain JS fallback for runtimes without SIMD.
 */

/** Runs `count` outputs: out[o] = Σ_i coef[r_o·K + i] · x[kmax_o − K + 1 + i]. */
export interface FirKernel {
  readonly name: 'wasm-simd' | 'js';
  run(
    coef: Float32Array,
    K: number,
    L: number,
    stepK: number,
    stepR: number,
    x: Float32Array,
    xLength: number,
    kmax: number,
    r: number,
    count: number,
    out: Float32Array,
  ): void;
}

export const jsKernel: FirKernel = {
  name: 'js',
  run(coef, K, L, stepK, stepR, x, _xLength, kmax, r, count, out) {
    for (let o = 0; o < count; o++) {
      const xb = kmax - K + 1;
      const hb = r * K;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < K; i += 4) {
        a0 += coef[hb + i] * x[xb + i];
        a1 += coef[hb + i + 1] * x[xb + i + 1];
        a2 += coef[hb + i + 2] * x[xb + i + 2];
        a3 += coef[hb + i + 3] * x[xb + i + 3];
      }
      out[o] = a0 + a1 + a2 + a3;
      kmax += stepK;
      r += stepR;
      if (r >= L) {
        r -= L;
        kmax++;
      }
    }
  },
};

// ---- WebAssembly SIMD kernel ------------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Opcodes used (core and 0xFD-prefixed SIMD).
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const i32c = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a;
const SUB = 0x6b;
const MUL = 0x6c;
const GE_U = 0x4f;
const LT_U = 0x49;
const END = 0x0b;
const v128load = (offset: number) => [0xfd, 0x00, 0x02, ...uleb(offset)];
const F32X4_ADD = [0xfd, 0xe4, 0x01];
const F32X4_MUL = [0xfd, 0xe6, 0x01];
const lane = (l: number) => [0xfd, 0x1f, l];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

// Params: 0 coefPtr, 1 K, 2 L, 3 stepK, 4 stepR, 5 xPtr, 6 kmax, 7 r, 8 count, 9 outPtr (pointers in bytes).
// Locals: 10 o, 11 i, 12 hb, 13 xb, 14 kBytes, 15–18 accumulators (v128).
const P = { coef: 0, K: 1, L: 2, stepK: 3, stepR: 4, x: 5, kmax: 6, r: 7, count: 8, out: 9 };
const o = 10;
const i = 11;
const hb = 12;
const xb = 13;
const kBytes = 14;
const acc = [15, 16, 17, 18];

function kernelBody(): number[] {
  const mac = (a: number, off: number) => [
    ...get(acc[a]),
    ...get(hb),
    ...get(i),
    ADD,
    ...v128load(off),
    ...get(xb),
    ...get(i),
    ADD,
    ...v128load(off),
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(acc[a]),
  ];
  const code: number[] = [];
  code.push(
    // kBytes = K * 4
    ...get(P.K),
    ...i32c(4),
    MUL,
    ...set(kBytes),
    0x02,
    0x40, // block $done
    0x03,
    0x40, // loop $outer
    ...get(o),
    ...get(P.count),
    GE_U,
    0x0d,
    1, // br_if $done
    // hb = coef + r * kBytes
    ...get(P.coef),
    ...get(P.r),
    ...get(kBytes),
    MUL,
    ADD,
    ...set(hb),
    // xb = x + (kmax - K + 1) * 4
    ...get(P.x),
    ...get(P.kmax),
    ...get(P.K),
    SUB,
    ...i32c(1),
    ADD,
    ...i32c(4),
    MUL,
    ADD,
    ...set(xb),
    ...V128_ZERO,
    ...set(acc[0]),
    ...V128_ZERO,
    ...set(acc[1]),
    ...V128_ZERO,
    ...set(acc[2]),
    ...V128_ZERO,
    ...set(acc[3]),
    ...i32c(0),
    ...set(i),
    0x03,
    0x40, // loop $taps: 16 taps per iteration (K is a multiple of 16)
    ...mac(0, 0),
    ...mac(1, 16),
    ...mac(2, 32),
    ...mac(3, 48),
    ...get(i),
    ...i32c(64),
    ADD,
    0x22,
    i, // local.tee i
    ...get(kBytes),
    LT_U,
    0x0d,
    0, // br_if $taps
    END,
    // out[o] = horizontal sum of (acc0 + acc1) + (acc2 + acc3)
    ...get(P.out),
    ...get(o),
    ...i32c(4),
    MUL,
    ADD,
    ...get(acc[0]),
    ...get(acc[1]),
    ...F32X4_ADD,
    ...get(acc[2]),
    ...get(acc[3]),
    ...F32X4_ADD,
    ...F32X4_ADD,
    ...set(acc[0]),
    ...get(acc[0]),
    ...lane(0),
    ...get(acc[0]),
    ...lane(1),
    0x92,
    ...get(acc[0]),
    ...lane(2),
    ...get(acc[0]),
    ...lane(3),
    0x92,
    0x92, // f32.add ×3
    0x38,
    0x02,
    0x00, // f32.store align=4 offset=0
    // o++, kmax += stepK, r += stepR, if r >= L { r -= L; kmax++ }
    ...get(o),
    ...i32c(1),
    ADD,
    ...set(o),
    ...get(P.kmax),
    ...get(P.stepK),
    ADD,
    ...set(P.kmax),
    ...get(P.r),
    ...get(P.stepR),
    ADD,
    ...set(P.r),
    ...get(P.r),
    ...get(P.L),
    GE_U,
    0x04,
    0x40, // if
    ...get(P.r),
    ...get(P.L),
    SUB,
    ...set(P.r),
    ...get(P.kmax),
    ...i32c(1),
    ADD,
    ...set(P.kmax),
    END,
    0x0c,
    0, // br $outer
    END,
    END, // end loop, end block
    END, // end function
  );
  const locals = [2, 5, 0x7f, 4, 0x7b]; // 5 × i32, 4 × v128
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function kernelModule(): Uint8Array {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 10, ...new Array<number>(10).fill(0x7f), 0]),
    ...section(2, [1, ...str('env'), ...str('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('run'), 0x00, 0]),
    ...section(10, [1, ...kernelBody()]),
  ];
  return Uint8Array.from(bytes);
}

type WasmRun = (...args: number[]) => void;

// The slice of the WebAssembly JS API used here (the package compiles without DOM typings).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Coefficient tables copied into wasm memory once, keyed by their Float32Array. */
class WasmKernel implements FirKernel {
  readonly name = 'wasm-simd' as const;
  private readonly memory: WasmMemory;
  private readonly exec: WasmRun;
  private heap: Float32Array;
  private readonly tables = new WeakMap<Float32Array, number>();
  private tablesEnd = 0; // bytes

  constructor(api: WasmApi, module: object) {
    this.memory = new api.Memory({ initial: 16 });
    const instance = new api.Instance(module, { env: { memory: this.memory } });
    this.exec = instance.exports.run as WasmRun;
    this.heap = new Float32Array(this.memory.buffer);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.heap.buffer !== this.memory.buffer) this.heap = new Float32Array(this.memory.buffer);
  }

  private tableOffset(coef: Float32Array): number {
    let at = this.tables.get(coef);
    if (at === undefined) {
      at = this.tablesEnd;
      this.reserve(at + coef.byteLength);
      this.heap.set(coef, at / 4);
      this.tablesEnd = at + Math.ceil(coef.byteLength / 16) * 16;
      this.tables.set(coef, at);
    }
    return at;
  }

  run(
    coef: Float32Array,
    K: number,
    L: number,
    stepK: number,
    stepR: number,
    x: Float32Array,
    xLength: number,
    kmax: number,
    r: number,
    count: number,
    out: Float32Array,
  ): void {
    if (count === 0) return;
    const coefAt = this.tableOffset(coef);
    // Copy only the window of history these outputs read: from the first output's first tap to xLength.
    const first = kmax - K + 1;
    const n = xLength - first;
    const xAt = this.tablesEnd;
    const outAt = xAt + Math.ceil((n * 4) / 16) * 16;
    this.reserve(outAt + count * 4);
    this.heap.set(x.subarray(first, xLength), xAt / 4);
    this.exec(coefAt, K, L, stepK, stepR, xAt - first * 4, kmax, r, count, outAt);
    out.set(this.heap.subarray(outAt / 4, outAt / 4 + count));
  }
}

function createKernel(): FirKernel {
  try {
    const bytes = kernelModule();
    if (wasmApi?.validate(bytes)) {
      return new WasmKernel(wasmApi, new wasmApi.Module(bytes));
    }
  } catch {
    // No WebAssembly SIMD here: the JS kernel computes the same sums in double precision.
  }
  return jsKernel;
}

/** The fastest kernel this runtime supports. */
export const firKernel: FirKernel = createKernel();
