import { assembleModule, F32, I32, op, V128, type WasmFunction } from './wasm-asm.js';

/**
 * WebAssembly SIMD kernels for TF's legacy bilinear resize, as tfjs-wasm (XNNPACK) computes it:
 * a horizontal lerp a + (b − a)·f within a source row, then a vertical lerp between two such rows,
 * every operation a float32 add/sub/mul (and, for the expression input, `(v − mean) / 255`).
 * WebAssembly float32 SIMD arithmetic is IEEE-754 round-to-nearest with no implicit fusing, so the
 * results are bit-identical to the scalar Math.fround replay they replace (resize-scalar.fixture.ts,
 * checked by resize.test.ts) at ~4× fewer instructions per value.
 */

/**
 * hrow(src, row, bytes, taps, n, dst): one horizontally interpolated row. The `bytes` source bytes
 * at `src` are first copied to `row` + 3, a uint8 RGB row with a zero pixel on each side. `taps`
 * holds n records {i32 byte offset of the left pixel, f32 weight of the right one}; the right pixel
 * is always the next one (resize.ts zeroes the weight where the true right tap is the left pixel
 * itself or padding next to padding, which gives the same float32 result), so one 8-byte load
 * fetches both and two byte swizzles widen them to int32 lanes R, G, B, (unused). The R, G and B
 * results go to the float32 rows dst, dst + 4n and dst + 8n.
 */
const [src, row, bytes, taps, n, dst, plane, plane2, px, left, pick0, pick1] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
/** Swizzle indices taking bytes first..first+3 to the low byte of each 32-bit lane; 0x80 gives 0. */
const widen = (first: number): number[] => [0, 1, 2, 3].flatMap((i) => [first + i, 0x80, 0x80, 0x80]);
const hrow: WasmFunction = {
  name: 'hrow',
  params: [I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, V128, V128, V128, V128],
  body: [
    [...op.get(row), ...op.i32(3), ...op.i32Add, ...op.get(src), ...op.get(bytes), ...op.memoryCopy],
    [...op.get(n), ...op.i32(2), ...op.i32Shl, ...op.tee(plane)], // one float32 row: 4n bytes
    [...op.get(plane), ...op.i32Add, ...op.set(plane2)],
    [...op.v128Const(widen(0)), ...op.set(pick0), ...op.v128Const(widen(3)), ...op.set(pick1)],
    op.loop(
      [...op.get(row), ...op.get(taps), ...op.i32Load(0), ...op.i32Add, ...op.v128Load64Zero()],
      op.tee(px),
      [...op.get(pick0), ...op.i8x16Swizzle, ...op.f32x4ConvertI32x4S, ...op.tee(left)],
      [...op.get(px), ...op.get(pick1), ...op.i8x16Swizzle, ...op.f32x4ConvertI32x4S],
      [...op.get(left), ...op.f32x4Sub],
      [...op.get(taps), ...op.v128Load32Splat(4), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(left)],
      [...op.get(dst), ...op.get(left), ...op.v128Store32Lane(0)],
      [...op.get(dst), ...op.get(plane), ...op.i32Add, ...op.get(left), ...op.v128Store32Lane(1)],
      [...op.get(dst), ...op.get(plane2), ...op.i32Add, ...op.get(left), ...op.v128Store32Lane(2)],
      [...op.get(taps), ...op.i32(8), ...op.i32Add, ...op.set(taps)],
      [...op.get(dst), ...op.i32(4), ...op.i32Add, ...op.set(dst)],
      [...op.get(n), ...op.i32(1), ...op.i32Sub, ...op.tee(n)],
      op.brIf(0),
    ),
  ],
};

/**
 * vrow(top, bottom, fy, dst, n[, mean]): dst[i] = top[i] + (bottom[i] − top[i])·fy over n float32
 * values (n a positive multiple of 4); vrowNorm then applies face-api's `(v − mean) / 255`.
 */
function vrow(normalise: boolean): WasmFunction {
  const [top, bottom, fy, out, count, mean] = [0, 1, 2, 3, 4, 5];
  const base = normalise ? 6 : 5;
  const [f, t, m, k] = [base, base + 1, base + 2, base + 3];
  const norm = normalise ? [op.get(m), op.f32x4Sub, op.get(k), op.f32x4Div] : [];
  return {
    name: normalise ? 'vrowNorm' : 'vrow',
    params: normalise ? [I32, I32, F32, I32, I32, F32] : [I32, I32, F32, I32, I32],
    locals: normalise ? [V128, V128, V128, V128] : [V128, V128],
    body: [
      [...op.get(fy), ...op.f32x4Splat, ...op.set(f)],
      ...(normalise
        ? [
            [...op.get(mean), ...op.f32x4Splat, ...op.set(m)],
            [...op.f32(255), ...op.f32x4Splat, ...op.set(k)],
          ]
        : []),
      op.loop(
        op.get(out),
        op.get(top),
        op.v128Load(),
        op.tee(t),
        op.get(bottom),
        op.v128Load(),
        op.get(t),
        op.f32x4Sub,
        op.get(f),
        op.f32x4Mul,
        op.f32x4Add,
        ...norm,
        op.v128Store(),
        [...op.get(top), ...op.i32(16), ...op.i32Add, ...op.set(top)],
        [...op.get(bottom), ...op.i32(16), ...op.i32Add, ...op.set(bottom)],
        [...op.get(out), ...op.i32(16), ...op.i32Add, ...op.set(out)],
        [...op.get(count), ...op.i32(4), ...op.i32Sub, ...op.tee(count)],
        op.brIf(0),
      ),
    ],
  };
}

/**
 * The slice of the WebAssembly JS API used here. Node has it globally, but the project compiles
 * against ES2023 + @types/node 20, neither of which declares it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface ResizeKernels {
  memory: WasmMemory;
  hrow(src: number, row: number, bytes: number, taps: number, n: number, dst: number): void;
  vrow(top: number, bottom: number, fy: number, dst: number, n: number): void;
  vrowNorm(top: number, bottom: number, fy: number, dst: number, n: number, mean: number): void;
}

let compiled: object | null = null;

/** A fresh instance (own memory) of the kernels; the module itself is compiled once per thread. */
export function instantiateKernels(initialBytes: number): ResizeKernels {
  compiled ??= new wasm.Module(assembleModule([hrow, vrow(false), vrow(true)], 1));
  const inst = new wasm.Instance(compiled, {});
  const k = inst.exports as unknown as ResizeKernels;
  const pages = Math.ceil(initialBytes / 65536);
  if (pages > 1) k.memory.grow(pages - 1);
  return k;
}
