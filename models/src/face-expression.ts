import { conv, separableConv, type Weights } from './layers.js';
import { GraphBuilder as Builder, type GraphBuilder, int, ints } from './onnx-builder.js';
import { loadTfjsWeights, takeWeight } from './tfjs-weights.js';
import { faceApiVersion } from './tiny-face-detector.js';

/** Constants from face-api src/faceFeatureExtractor and src/faceExpressionNet (v1.7.15). */
export const FACE_EXPRESSION = {
  inputSize: 112,
  meanRgb: [122.782, 117.001, 104.298],
  labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
} as const;

// TF 'same' padding for a 3x3 kernel: stride 1 pads 1 everywhere; stride 2 on an even size pads only
// the bottom/right by 1. All sizes here are fixed (112 -> 56 -> 28 -> 14 -> 7), so pads are static.
const SAME_S1: [number, number, number, number] = [1, 1, 1, 1];
const SAME_S2: [number, number, number, number] = [0, 0, 1, 1];

/**
 * face-api `denseBlock4(x, params, isFirstLayer, isScaleDown = true)`. face-api sums the residuals as
 * out1 + (out2 + (out3 + out4)); we keep running sums s2 = out1 + out2, s3 = s2 + out3,
 * s4 = s3 + out4 instead (same terms, float32 rounding differs by a few ulps, far inside the 1e-4
 * parity budget). That shape lets ORT fuse every Add into the preceding pointwise Conv (NCHWc
 * "sum" input) and the last ReLU too, which saved ~25 % of this network's run time.
 */
function denseBlock4(g: GraphBuilder, x: string, w: Weights, prefix: string, cin: number, cout: number) {
  const first = prefix === 'dense0';
  const c0 = first
    ? conv(g, x, w, `${prefix}/conv0`, [3, 3, cin, cout], 2, SAME_S2)
    : separableConv(g, x, w, `${prefix}/conv0`, cin, cout, 2, SAME_S2);
  const out1 = g.node('Relu', [c0]);
  const s2 = g.node('Add', [out1, separableConv(g, out1, w, `${prefix}/conv1`, cout, cout, 1, SAME_S1)]);
  const s3 = g.node('Add', [
    s2,
    separableConv(g, g.node('Relu', [s2]), w, `${prefix}/conv2`, cout, cout, 1, SAME_S1),
  ]);
  const s4 = g.node('Add', [
    s3,
    separableConv(g, g.node('Relu', [s3]), w, `${prefix}/conv3`, cout, cout, 1, SAME_S1),
  ]);
  return g.node('Relu', [s4]);
}

/**
 * Builds FaceExpressionNet = FaceFeatureExtractor (4 dense blocks, 7x7 average pool) + fully connected
 * 256 -> 7 + softmax.
 *
 * Input `input`: float32 NCHW [N, 3, 112, 112]: each RGB face crop padded to a square with zeros
 * split evenly on both sides (face-api `toBatchTensor(112, true)`), bilinearly resized, then
 * normalised as (x - meanRgb) / 255 by the caller (same convention as the detector).
 * Outputs `logits` [N, 7] and `probabilities` [N, 7] (softmax), in the order of FACE_EXPRESSION.labels.
 */
export function buildFaceExpression(modelDir: string): Buffer {
  const w = loadTfjsWeights(modelDir, 'face_expression_model');
  const g = new Builder('face_expression');
  const input = g.input('input', ['batch', 3, 112, 112]);
  let x = input;
  x = denseBlock4(g, x, w, 'dense0', 3, 32);
  x = denseBlock4(g, x, w, 'dense1', 32, 64);
  x = denseBlock4(g, x, w, 'dense2', 64, 128);
  x = denseBlock4(g, x, w, 'dense3', 128, 256);
  x = g.node('AveragePool', [x], { kernel_shape: ints([7, 7]), strides: ints([2, 2]) });
  x = g.node('Flatten', [x], { axis: int(1) });
  const fcW = takeWeight(w, 'fc/weights', [256, 7]);
  const fcB = takeWeight(w, 'fc/bias', [7]);
  const wName = g.constant('fc/weights', fcW.shape, fcW.data);
  const bName = g.constant('fc/bias', fcB.shape, fcB.data);
  const logits = g.node('Gemm', [x, wName, bName], {}, 'logits');
  g.node('Softmax', [logits], { axis: int(1) }, 'probabilities');
  g.output('logits', ['batch', 7]);
  g.output('probabilities', ['batch', 7]);
  return g.toModel({
    opset: 13,
    producerVersion: '0.1.0',
    docString: 'face-api FaceExpressionNet (FaceFeatureExtractor dense blocks + FC 7) converted from tfjs.',
    props: {
      source: `@vladmandic/face-api@${faceApiVersion(modelDir)} model/face_expression_model`,
      license: 'MIT',
      input_layout:
        'NCHW float32 RGB, crop padded to square (centred), bilinear resize to 112, (x - mean_rgb) / 255',
      labels: JSON.stringify(FACE_EXPRESSION.labels),
      mean_rgb: JSON.stringify(FACE_EXPRESSION.meanRgb),
    },
  });
}
