import type { Window } from './resize.js';
import { taps } from './resize.js';
import type { RgbImage } from './types.js';

/**
 * The scalar JavaScript replay of TF's legacy bilinear resize that preprocess.ts used before the
 * WebAssembly SIMD kernels (resize-kernels.ts): kept as the readable reference that resize.test.ts
 * compares the kernels against bit for bit. Math.fround at every step mirrors XNNPACK's float32
 * arithmetic (float64 source coordinates alone moved raw detector outputs by 3e-4).
 */
const f32 = Math.fround;

/**
 * Separable form of XNNPACK's ibilinear kernel, bit for bit: it lerps horizontally within the top
 * and the bottom source row, then vertically between the two, so a horizontally interpolated row can
 * be computed once and shared by every output row that reads it (each detector row is read by ~1.5
 * output rows, each row of a small face crop by up to 112/side of them). Source rows are copied into
 * a zero-bordered padded-square row first, so padding needs no branch in the inner loops.
 */
class RowCache {
  private readonly padded: Uint8Array;
  private readonly rows: [Float32Array, Float32Array];
  private readonly keys = [-1, -1];
  private next = 0;
  /** Byte offsets of each output column's left/right tap inside `padded`. */
  private readonly x0: Int32Array;
  private readonly x1: Int32Array;
  private readonly fx: Float32Array;
  readonly zero: Float32Array;

  constructor(
    private readonly img: RgbImage,
    private readonly win: Window,
    private readonly size: number,
  ) {
    const t = taps(size, win.side);
    this.fx = t.frac;
    this.x0 = t.i0.map((i) => i * 3);
    this.x1 = t.i1.map((i) => i * 3);
    this.padded = new Uint8Array(win.side * 3);
    this.rows = [new Float32Array(size * 3), new Float32Array(size * 3)];
    this.zero = new Float32Array(size * 3);
  }

  /** Horizontally interpolated padded-square row `y` (interleaved RGB float32, `size` pixels). */
  row(y: number): Float32Array {
    const { win, img } = this;
    const wy = y - win.padY;
    if (wy < 0 || wy >= win.height) return this.zero;
    if (this.keys[0] === y) return this.rows[0];
    if (this.keys[1] === y) return this.rows[1];
    const slot = this.next;
    this.next ^= 1;
    this.keys[slot] = y;
    const out = slot === 0 ? this.rows[0] : this.rows[1];
    const start = ((win.y + wy) * img.width + win.x) * 3;
    this.padded.set(img.data.subarray(start, start + win.width * 3), win.padX * 3);
    const p = this.padded;
    const { x0, x1, fx } = this;
    for (let c = 0, q = 0; c < this.size; c++, q += 3) {
      const a = x0[c] as number;
      const b = x1[c] as number;
      const f = fx[c] as number;
      const l0 = p[a] as number;
      const l1 = p[a + 1] as number;
      const l2 = p[a + 2] as number;
      // Float32Array stores round to float32, as the kernel's float32 add does.
      out[q] = l0 + f32(((p[b] as number) - l0) * f);
      out[q + 1] = l1 + f32(((p[b + 1] as number) - l1) * f);
      out[q + 2] = l2 + f32(((p[b + 2] as number) - l2) * f);
    }
    return out;
  }
}

/**
 * Resizes a window into planar float32 at `offset` of `out`. With `mean`, values are normalised as
 * face-api's `normalize(x, mean).div(255)` (a float32 subtraction then a float32 division, fused here
 * so the input is bit-identical to face-api's); without, raw resized pixels in [0, 255] are written
 * (the detector has the normalisation folded into its first convolution).
 */
export function resizeWindowScalar(
  img: RgbImage,
  win: Window,
  size: number,
  mean: readonly number[] | null,
  out: Float32Array,
  offset: number,
): void {
  const cache = new RowCache(img, win, size);
  const ty = taps(size, win.side);
  const plane = size * size;
  const [m0 = 0, m1 = 0, m2 = 0] = mean ?? [];
  for (let r = 0; r < size; r++) {
    const top = cache.row(ty.i0[r] as number);
    const bottom = cache.row(ty.i1[r] as number);
    const fy = ty.frac[r] as number;
    const o0 = offset + r * size;
    const o1 = o0 + plane;
    const o2 = o1 + plane;
    if (mean) {
      for (let c = 0, q = 0; c < size; c++, q += 3) {
        const t0 = top[q] as number;
        const t1 = top[q + 1] as number;
        const t2 = top[q + 2] as number;
        out[o0 + c] = f32(f32(f32(t0 + f32(f32((bottom[q] as number) - t0) * fy)) - m0) / 255);
        out[o1 + c] = f32(f32(f32(t1 + f32(f32((bottom[q + 1] as number) - t1) * fy)) - m1) / 255);
        out[o2 + c] = f32(f32(f32(t2 + f32(f32((bottom[q + 2] as number) - t2) * fy)) - m2) / 255);
      }
    } else {
      for (let c = 0, q = 0; c < size; c++, q += 3) {
        const t0 = top[q] as number;
        const t1 = top[q + 1] as number;
        const t2 = top[q + 2] as number;
        out[o0 + c] = t0 + f32(f32((bottom[q] as number) - t0) * fy);
        out[o1 + c] = t1 + f32(f32((bottom[q + 1] as number) - t1) * fy);
        out[o2 + c] = t2 + f32(f32((bottom[q + 2] as number) - t2) * fy);
      }
    }
  }
}
