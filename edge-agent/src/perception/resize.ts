import { instantiateKernels, type ResizeKernels } from './resize-kernels.js';
import type { RgbImage } from './types.js';

const f32 = Math.fround;

/** A rectangular window of the source image, placed inside a zero-padded square of side `side`. */
export interface Window {
  /** Source-image pixel of the window's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Offset of the window inside the padded square (the zero padding before it). */
  padX: number;
  padY: number;
  side: number;
}

/**
 * Source taps for one axis of the padded square, exactly as XNNPACK computes them in float32:
 * scale = side / out, source = o · scale, i0 = trunc(source), i1 = min(i0 + 1, side − 1), and the
 * weight of i1 is source − i0.
 */
export function taps(outSize: number, side: number): { i0: Int32Array; i1: Int32Array; frac: Float32Array } {
  const scale = f32(side / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = f32(o * scale);
    const lo = Math.trunc(src);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, side - 1);
    frac[o] = f32(src - lo);
  }
  return { i0, i1, frac };
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Drives the WebAssembly SIMD kernels (resize-kernels.ts) over one wasm memory owned by this
 * resizer. Per call the memory holds, in order: the x taps (8 bytes per output column), two
 * horizontally interpolated rows (a 2-row cache, planar R|G|B float32), one zero row for padding
 * rows, one uint8 source row with a zero pixel on each side, the planar float32 output, and the
 * window's band of source rows (full image width), copied in with one `set` because per-row copies
 * from JavaScript cost about as much as the resize itself. The memory only grows: to ~5 MB for a
 * 640×480 frame at 416, more if a larger image passes through.
 */
export class WasmResizer {
  private readonly k: ResizeKernels;
  private u8: Uint8Array;
  private i32: Int32Array;
  private f32: Float32Array;

  constructor() {
    this.k = instantiateKernels(4 << 20);
    this.u8 = new Uint8Array(this.k.memory.buffer);
    this.i32 = new Int32Array(this.k.memory.buffer);
    this.f32 = new Float32Array(this.k.memory.buffer);
  }

  /** Grows the memory to at least `bytes`; growing detaches the old views, so they are remade. */
  private reserve(bytes: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (bytes > have) this.k.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.u8.buffer !== this.k.memory.buffer) {
      this.u8 = new Uint8Array(this.k.memory.buffer);
      this.i32 = new Int32Array(this.k.memory.buffer);
      this.f32 = new Float32Array(this.k.memory.buffer);
    }
  }

  /**
   * Resizes `win` of `img` (zero-padded to its square) to size × size, planar float32 at `offset` of
   * `out`. With `mean`, values are face-api's `(x − mean) / 255`; without, raw [0, 255].
   */
  resize(
    img: RgbImage,
    win: Window,
    size: number,
    mean: readonly number[] | null,
    out: Float32Array,
    offset: number,
  ): void {
    out.set(this.resizeView(img, win, size, mean), offset);
  }

  /**
   * As resize(), but returns a view of the result in this resizer's memory, without copying it out:
   * valid only until this resizer's next call (which may overwrite it, or grow and so detach it).
   */
  resizeView(img: RgbImage, win: Window, size: number, mean: readonly number[] | null): Float32Array {
    if (size % 4 !== 0 || size <= 0) throw new Error(`resize: size must be a positive multiple of 4`);
    const rowFloats = 3 * size;
    const tapsAt = 0;
    const slots = [align16(8 * size), align16(8 * size) + 4 * rowFloats];
    const zeroRow = (slots[1] as number) + 4 * rowFloats;
    const srcRow = zeroRow + 4 * rowFloats;
    const srcBytes = align16((win.width + 2) * 3 + 8);
    const dst = srcRow + srcBytes;
    const band = dst + 4 * rowFloats * size;
    const bandStart = win.y * img.width * 3;
    const bandBytes = win.height * img.width * 3;
    this.reserve(band + bandBytes);
    const { u8, i32, f32: fl, k } = this;

    // x taps: the byte offset of the left pixel in the bordered source row (real columns at
    // 3 + 3·col, padding at the zero pixel on its side) and the weight of the next pixel. Where the
    // true right tap is not that next pixel (clamped at the last column: right = left; or padding
    // next to padding) the weight is 0, so the lerp returns the left value, as it would.
    const tx = taps(size, win.side);
    const w = win.width;
    for (let c = 0, q = tapsAt >> 2; c < size; c++, q += 2) {
      const i0 = tx.i0[c] as number;
      const col = i0 - win.padX;
      i32[q] = col < 0 ? 0 : col >= w ? 3 * (w + 1) : 3 * (col + 1);
      fl[q + 1] = tx.i1[c] === i0 || col < -1 || col >= w ? 0 : (tx.frac[c] as number);
    }
    fl.fill(0, zeroRow >> 2, (zeroRow >> 2) + rowFloats);
    u8.fill(0, srcRow, srcRow + 3);
    u8.fill(0, srcRow + 3 + 3 * win.width, srcRow + srcBytes);
    u8.set(img.data.subarray(bandStart, bandStart + bandBytes), band);

    const keys = [-1, -1];
    const rowAt = (y: number, keep: number): number => {
      const wy = y - win.padY;
      if (wy < 0 || wy >= win.height) return zeroRow;
      if (keys[0] === y) return slots[0] as number;
      if (keys[1] === y) return slots[1] as number;
      // Never evict `keep` (this output row's top row); otherwise the lower row, as rows only go down.
      const older = (keys[0] as number) <= (keys[1] as number) ? 0 : 1;
      const s = keys[0] === keep ? 1 : keys[1] === keep ? 0 : older;
      keys[s] = y;
      k.hrow(band + (wy * img.width + win.x) * 3, srcRow, 3 * win.width, tapsAt, size, slots[s] as number);
      return slots[s] as number;
    };

    const ty = taps(size, win.side);
    const planeBytes = 4 * size * size;
    for (let r = 0; r < size; r++) {
      const y0 = ty.i0[r] as number;
      const top = rowAt(y0, -1);
      const bottom = rowAt(ty.i1[r] as number, y0);
      const fy = ty.frac[r] as number;
      for (let p = 0; p < 3; p++) {
        const t = top + 4 * size * p;
        const b = bottom + 4 * size * p;
        const d = dst + p * planeBytes + 4 * size * r;
        if (mean) k.vrowNorm(t, b, fy, d, size, mean[p] as number);
        else k.vrow(t, b, fy, d, size);
      }
    }
    return fl.subarray(dst >> 2, (dst >> 2) + rowFloats * size);
  }
}
