import type { RgbImage } from './types.js';

/**
 * Pre-processing that reproduces face-api's tensor path exactly (pad with zeros to a square, then
 * `tf.image.resizeBilinear(.., alignCorners = false, halfPixelCenters = false)`), written straight
 * into NCHW float32 so the model needs no transpose. On tfjs-wasm that resize is XNNPACK's
 * TensorFlow-legacy bilinear, which does all of its arithmetic in float32: scale = in/out,
 * source = out_index * scale, weight = source - trunc(source), then two lerps. We replay it with
 * Math.fround at every step because float64 source coordinates alone moved inputs by up to 0.01
 * grey levels and the raw detector outputs by 3e-4, over the 1e-4 parity budget.
 */
const f32 = Math.fround;

/**
 * face-api mean RGB values (float32, as tf.fill makes them) for each model. The detector's is folded
 * into tiny_face_detector.onnx's conv0 (see the model card) and only kept here for reference.
 */
export const DETECTOR_MEAN: readonly number[] = [117.001, 114.697, 97.404].map(f32);
export const EXPRESSION_MEAN: readonly number[] = [122.782, 117.001, 104.298].map(f32);

/** A rectangular window of the source image, placed inside a zero-padded square of side `side`. */
interface Window {
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
 * Source taps for one axis of the padded square: the two padded-square indices every output index
 * reads (i1 clamped to the last one) and the float32 weight of i1.
 */
function taps(outSize: number, side: number): { i0: Int32Array; i1: Int32Array; frac: Float32Array } {
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
function resizeWindow(
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

/**
 * Detector input: the whole image padded at the bottom/right to a square and resized to `size`
 * (face-api `toBatchTensor(size, false)`), NOT normalised (tiny_face_detector.onnx folds
 * `(x - mean) / 255` into conv0). Returns NCHW [1, 3, size, size].
 */
export function detectorInput(img: RgbImage, size: number, reuse?: Float32Array): Float32Array {
  // Every element is rewritten, so a buffer from the previous frame can be reused.
  const out = reuse?.length === 3 * size * size ? reuse : new Float32Array(3 * size * size);
  const side = Math.max(img.width, img.height);
  const win = { x: 0, y: 0, width: img.width, height: img.height, padX: 0, padY: 0, side };
  resizeWindow(img, win, size, null, out, 0);
  return out;
}

/**
 * The crop face-api feeds the expression model: the detection box clipped to the image and floored
 * (`Box.clipAtImageBorders`). Returns null for an empty crop, which face-api silently drops.
 */
export function faceCrop(box: readonly number[], imgWidth: number, imgHeight: number): Window | null {
  const [bx = 0, by = 0, bw = 0, bh = 0] = box;
  const x = Math.max(bx, 0);
  const y = Math.max(by, 0);
  const w = Math.floor(Math.min(bx + bw - x, imgWidth - x));
  const h = Math.floor(Math.min(by + bh - y, imgHeight - y));
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  if (w <= 0 || h <= 0) return null;
  // face-api `padToSquare(.., isCenterImage = true)`: round(diff / 2) after, the rest before.
  const diff = Math.abs(w - h);
  const before = diff - Math.round(diff * 0.5);
  return {
    x: fx,
    y: fy,
    width: w,
    height: h,
    padX: w < h ? before : 0,
    padY: h < w ? before : 0,
    side: Math.max(w, h),
  };
}

/** Expression input for several faces, normalised: NCHW [N, 3, size, size]. */
export function expressionInput(img: RgbImage, crops: Window[], size: number): Float32Array {
  const per = 3 * size * size;
  const out = new Float32Array(per * crops.length);
  crops.forEach((win, i) => {
    resizeWindow(img, win, size, EXPRESSION_MEAN, out, i * per);
  });
  return out;
}

export type { Window as CropWindow };
