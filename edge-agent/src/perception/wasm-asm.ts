/**
 * A minimal WebAssembly binary encoder: just enough to emit the few SIMD kernels in
 * resize-kernels.ts. Hand-encoding keeps the kernels readable and reviewable in TypeScript without
 * adding a WAT/C toolchain to the build; the module is assembled (a few hundred bytes) at load time.
 * Opcodes are from the WebAssembly 2.0 core spec (SIMD is the 0xFD-prefixed space).
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32 range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;
/** Encoded bytes of one or more instructions. */
export type Code = readonly number[];

/** Alignment hint 0 is valid for every access and the kernels' addresses are not always aligned. */
const memarg = (offset = 0): number[] => [0, ...uleb(offset)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];

/** Instruction encoders, named after their WebAssembly text format mnemonics. */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  /** f32.const: 4 little-endian IEEE-754 bytes. */
  f32: (v: number) => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    return [0x43, ...b];
  },
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Shl: [0x74],
  i32Load: (offset = 0) => [0x28, ...memarg(offset)],
  f32Load: (offset = 0) => [0x2a, ...memarg(offset)],
  /** `loop` with an empty block type ... `end`; `brIf(0)` inside jumps back to its start. */
  loop: (...body: Code[]) => [0x03, 0x40, ...body.flat(), 0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** memory.copy (bulk memory): [dst, src, length] on the stack. */
  memoryCopy: [0xfc, ...uleb(10), 0, 0],
  v128Load: (offset = 0) => simd(0x00, ...memarg(offset)),
  /** Loads 8 bytes into the low half, zeroing the high half. */
  v128Load64Zero: (offset = 0) => simd(0x5d, ...memarg(offset)),
  v128Const: (bytes: readonly number[]) => simd(0x0c, ...bytes),
  /** Lane i of the result is byte idx[i] of the first operand, or 0 when idx[i] >= 16. */
  i8x16Swizzle: simd(0x0e),
  /** Loads one 32-bit value into all four lanes. */
  v128Load32Splat: (offset = 0) => simd(0x09, ...memarg(offset)),
  v128Store: (offset = 0) => simd(0x0b, ...memarg(offset)),
  /** Loads 8 bytes and zero-extends each to a 16-bit lane. */
  v128Load8x8U: (offset = 0) => simd(0x02, ...memarg(offset)),
  v128Store32Lane: (lane: number, offset = 0) => simd(0x5a, ...memarg(offset), lane),
  i32x4ExtendLowI16x8U: simd(0xa9),
  f32x4ConvertI32x4S: simd(0xfa),
  f32x4Splat: simd(0x13),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
} as const;

export interface WasmFunction {
  name: string;
  params: ValType[];
  /** Extra locals, numbered after the params. */
  locals: ValType[];
  body: Code[];
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, items: number[][]): number[] => {
  const content = vec(items);
  return [id, ...uleb(content.length), ...content];
};
const name = (s: string): number[] => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));

/**
 * A module with one exported memory ("memory", `pages` × 64 KiB initially, growable) and the given
 * exported functions, none of which return a value.
 */
export function assembleModule(fns: WasmFunction[], pages: number): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const bodies = fns.map((f) => {
    const code = [...vec(f.locals.map((t) => [1, t])), ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  const exports = [[...name('memory'), 0x02, 0], ...fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(
      3,
      fns.map((_, i) => uleb(i)),
    ),
    ...section(5, [[0x00, ...uleb(pages)]]),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}
