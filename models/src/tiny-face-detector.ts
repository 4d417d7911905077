import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conv, leaky, maxPoolSame, separableConv, type Weights } from './layers.js';
import { GraphBuilder, ints } from './onnx-builder.js';
import { loadTfjsWeights } from './tfjs-weights.js';

/** Constants copied from face-api src/tinyFaceDetector/const.ts (v1.7.15). */
export const TINY_FACE_DETECTOR = {
  meanRgb: [117.001, 114.697, 97.404],
  /** Anchor (width, height) pairs in grid cells, one per box slot of every cell. */
  anchors: [
    [1.603231, 2.094468],
    [6.041143, 7.080126],
    [2.882459, 3.518061],
    [4.266906, 5.178857],
    [9.041765, 10.66308],
  ],
  iouThreshold: 0.4,
  scoreThreshold: 0.5,
  defaultInputSize: 416,
  /** Values per anchor in the grid: x, y, w, h, objectness (single class, no class scores). */
  boxEncodingSize: 5,
  stride: 32,
} as const;

const FILTERS = [3, 16, 32, 64, 128, 256, 512] as const;

/**
 * Builds TinyFaceDetector (face-api `TinyYolov2Base.runMobilenet` with `isFirstLayerConv2d`, 7 filter
 * sizes, so no conv6/conv7) as an ONNX graph.
 *
 * Input `input`: float32 NCHW [1, 3, S, S]: the RGB image padded to a square at the bottom/right
 * with zeros and bilinearly resized to S (S divisible by 32; 416 default, 320/224 on a Pi), in
 * [0, 255]. face-api's normalisation (x - meanRgb) / 255 is folded into conv0 (foldInputNorm): in the
 * caller's resize loop it cost ~20 % of the pre-processing, as graph ops ~10 % of the detector, and
 * folded it is free (only float32 rounding changes: max raw-grid diff to face-api over the test photos
 * 6.9e-5 instead of 5.0e-5). Output `grid`: float32 NHWC [1, S/32, S/32, 25], the raw head (5 anchors
 * x [tx, ty, tw, th, to]) in exactly face-api's layout, so the decode can be compared value by value.
 */
export function buildTinyFaceDetector(modelDir: string): Buffer {
  const w = loadTfjsWeights(modelDir, 'tiny_face_detector_model');
  const g = new GraphBuilder('tiny_face_detector');
  const input = g.input('input', [1, 3, 'size', 'size']);
  let x = input;
  foldInputNorm(w, 'conv0', TINY_FACE_DETECTOR.meanRgb);
  // conv0 is a plain 3x3 conv with 'valid' padding (S -> S-2), exactly as face-api calls convLayer.
  x = leaky(g, conv(g, x, w, 'conv0', [3, 3, 3, 16], 1, [0, 0, 0, 0]));
  x = maxPoolSame(g, x, 2);
  for (let i = 1; i <= 5; i++) {
    // tinyYolov2 depthwiseSeparableConv pads 1 on every side then convolves 'valid'.
    const cin = FILTERS[i] as number;
    const cout = FILTERS[i + 1] as number;
    x = leaky(g, separableConv(g, x, w, `conv${i}`, cin, cout, 1, [1, 1, 1, 1]));
    x = maxPoolSame(g, x, i < 5 ? 2 : 1);
  }
  x = conv(g, x, w, 'conv8', [1, 1, 512, 25], 1, [0, 0, 0, 0]);
  g.node('Transpose', [x], { perm: ints([0, 2, 3, 1]) }, 'grid');
  g.output('grid', [1, 'grid', 'grid', 25]);
  return g.toModel({
    opset: 13,
    producerVersion: '0.1.0',
    docString: 'face-api TinyFaceDetector (tiny YOLOv2, separable convs) converted from tfjs weights.',
    props: {
      source: `@vladmandic/face-api@${faceApiVersion(modelDir)} model/tiny_face_detector_model`,
      license: 'MIT',
      input_layout:
        'NCHW float32 RGB in [0, 255], padded bottom/right to square, bilinear resize to S; (x - mean_rgb) / 255 is folded into conv0',
      output_layout: 'NHWC [1, S/32, S/32, 5 anchors x (tx, ty, tw, th, objectness)]',
      anchors: JSON.stringify(TINY_FACE_DETECTOR.anchors),
      mean_rgb: JSON.stringify(TINY_FACE_DETECTOR.meanRgb),
    },
  });
}

/**
 * Folds face-api's input normalisation `(x - mean) / 255` into a first convolution with 'valid'
 * padding (so every tap sees a real pixel): w' = w / 255, b' = b - sum(w * mean) / 255, computed in
 * float64 and rounded once. The caller then feeds resized pixels in [0, 255] unnormalised.
 */
function foldInputNorm(w: Weights, prefix: string, mean: readonly number[]): void {
  const filters = w.get(`${prefix}/filters`);
  const bias = w.get(`${prefix}/bias`);
  if (!filters || !bias) throw new Error(`${prefix}: weights missing`);
  const [kh = 0, kw = 0, ci = 0, co = 0] = filters.shape;
  const m = mean.map((v) => Math.fround(v));
  const data = new Float32Array(filters.data.length);
  const shift = new Float64Array(co);
  for (let k = 0; k < kh * kw; k++)
    for (let i = 0; i < ci; i++)
      for (let o = 0; o < co; o++) {
        const at = (k * ci + i) * co + o;
        const v = filters.data[at] as number;
        data[at] = v / 255;
        shift[o] = (shift[o] as number) + (v * (m[i] as number)) / 255;
      }
  w.set(`${prefix}/filters`, { shape: filters.shape, data });
  w.set(`${prefix}/bias`, {
    shape: bias.shape,
    data: bias.data.map((b, o) => b - (shift[o] as number)),
  });
}

/** Reads the face-api version from the package that holds `modelDir` (…/face-api/model). */
export function faceApiVersion(modelDir: string): string {
  const pkg = JSON.parse(readFileSync(join(modelDir, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
