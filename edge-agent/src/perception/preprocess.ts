import { WasmResizer, type Window } from './resize.js';
import type { RgbImage } from './types.js';

/**
 * Pre-processing that reproduces face-api's tensor path exactly (pad with zeros to a square, then
 * `tf.image.resizeBilinear(.., alignCorners = false, halfPixelCenters = false)`), written straight
 * into NCHW float32 so the model needs no transpose. On tfjs-wasm that resize is XNNPACK's
 * TensorFlow-legacy bilinear, which does all of its arithmetic in float32: scale = in/out,
 * source = out_index * scale, weight = source - trunc(source), then two lerps. We replay it bit for
 * bit (float64 source coordinates alone moved inputs by up to 0.01 grey levels and the raw detector
 * outputs by 3e-4, over the 1e-4 parity budget) with WebAssembly SIMD kernels (resize.ts,
 * resize-kernels.ts): 4 float32 lanes per instruction instead of a Math.fround per step in scalar
 * JavaScript, which cost ~2.3 ms per 416 detector input.
 */
const f32 = Math.fround;

/**
 * face-api mean RGB values (float32, as tf.fill makes them) for each model. The detector's is folded
 * into tiny_face_detector.onnx's conv0 (see the model card) and only kept here for reference.
 */
export const DETECTOR_MEAN: readonly number[] = [117.001, 114.697, 97.404].map(f32);
export const EXPRESSION_MEAN: readonly number[] = [122.782, 117.001, 104.298].map(f32);

/**
 * One resizer (wasm instance and memory) per thread, made on first use: resizing is synchronous and
 * copies its result out, so concurrent frames can share it.
 */
let shared: WasmResizer | null = null;
const resizer = (): WasmResizer => {
  shared ??= new WasmResizer();
  return shared;
};

/**
 * Detector input: the whole image padded at the bottom/right to a square and resized to `size`
 * (face-api `toBatchTensor(size, false)`), NOT normalised (tiny_face_detector.onnx folds
 * `(x - mean) / 255` into conv0). Returns NCHW [1, 3, size, size].
 */
export function detectorInput(img: RgbImage, size: number, reuse?: Float32Array): Float32Array {
  // Every element is rewritten, so a buffer from the previous frame can be reused.
  const out = reuse?.length === 3 * size * size ? reuse : new Float32Array(3 * size * size);
  resizer().resize(img, detectorWindow(img), size, null, out, 0);
  return out;
}

/** The detector's window: the whole image, padded at the bottom/right to a square. */
export function detectorWindow(img: RgbImage): Window {
  const side = Math.max(img.width, img.height);
  return { x: 0, y: 0, width: img.width, height: img.height, padX: 0, padY: 0, side };
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
    resizer().resize(img, win, size, EXPRESSION_MEAN, out, i * per);
  });
  return out;
}

export type { Window as CropWindow };
