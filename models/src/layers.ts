import { float, type GraphBuilder, int, ints, str } from './onnx-builder.js';
import { depthwiseToOihw, hwioToOihw, takeWeight, type Weight } from './tfjs-weights.js';

/** Shared graph fragments; every one mirrors a face-api function named in its comment. */

export type Weights = Map<string, Weight>;

/** `tf.conv2d(x, filters, stride, padding) + bias` with TF-style explicit padding. */
export function conv(
  g: GraphBuilder,
  x: string,
  w: Weights,
  prefix: string,
  shape: [number, number, number, number],
  stride: number,
  pads: [number, number, number, number],
): string {
  const filters = hwioToOihw(takeWeight(w, `${prefix}/filters`, shape));
  const bias = takeWeight(w, `${prefix}/bias`, [shape[3]]);
  const wName = g.constant(`${prefix}/filters`, filters.shape, filters.data);
  const bName = g.constant(`${prefix}/bias`, bias.shape, bias.data);
  return g.node('Conv', [x, wName, bName], {
    kernel_shape: ints([shape[0], shape[1]]),
    pads: ints(pads),
    strides: ints([stride, stride]),
  });
}

/**
 * `tf.separableConv2d(x, depthwise, pointwise, stride, padding) + bias`: a grouped 3x3 conv without
 * bias followed by a 1x1 conv that carries the bias (adding it there is the same sum).
 */
export function separableConv(
  g: GraphBuilder,
  x: string,
  w: Weights,
  prefix: string,
  channelsIn: number,
  channelsOut: number,
  stride: number,
  pads: [number, number, number, number],
): string {
  const dw = depthwiseToOihw(takeWeight(w, `${prefix}/depthwise_filter`, [3, 3, channelsIn, 1]));
  const pw = hwioToOihw(takeWeight(w, `${prefix}/pointwise_filter`, [1, 1, channelsIn, channelsOut]));
  const bias = takeWeight(w, `${prefix}/bias`, [channelsOut]);
  const dwName = g.constant(`${prefix}/depthwise_filter`, dw.shape, dw.data);
  const pwName = g.constant(`${prefix}/pointwise_filter`, pw.shape, pw.data);
  const bName = g.constant(`${prefix}/bias`, bias.shape, bias.data);
  const depthwise = g.node('Conv', [x, dwName], {
    group: int(channelsIn),
    kernel_shape: ints([3, 3]),
    pads: ints(pads),
    strides: ints([stride, stride]),
  });
  return g.node('Conv', [depthwise, pwName, bName], { kernel_shape: ints([1, 1]) });
}

/** tinyYolov2 `leaky`: relu(x - 0.1x) + 0.1x, which is LeakyRelu(alpha = 0.1). */
export function leaky(g: GraphBuilder, x: string): string {
  return g.node('LeakyRelu', [x], { alpha: float(0.1) });
}

/**
 * `tf.maxPool(x, [2, 2], [s, s], 'same')`. TF's 'same' puts the odd padding pixel at the end, which is
 * ONNX SAME_UPPER; computed at run time so the detector accepts any input size divisible by 32.
 */
export function maxPoolSame(g: GraphBuilder, x: string, stride: number): string {
  return g.node('MaxPool', [x], {
    auto_pad: str('SAME_UPPER'),
    kernel_shape: ints([2, 2]),
    strides: ints([stride, stride]),
  });
}
