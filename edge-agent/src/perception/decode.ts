import type { PixelBox } from './types.js';

/** face-api TinyFaceDetector constants (src/tinyFaceDetector/const.ts, v1.7.15). */
export const ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
export const DEFAULT_IOU_THRESHOLD = 0.4;
export const DEFAULT_SCORE_THRESHOLD = 0.5;
const ENCODING = 5;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** A candidate box relative to the reshaped (unpadded) image, like face-api's `BoundingBox`. */
export interface Candidate {
  score: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Decodes the raw NHWC grid [1, G, G, 5 * 5] as face-api `TinyYolov2Base.extractBoxes`: score =
 * sigmoid(objectness) (single class, so no class softmax), centre = (cell + sigmoid(t)) / G, size =
 * exp(t) * anchor / G, corrected from the padded square back to the unpadded image extent.
 */
export function decodeGrid(
  grid: ArrayLike<number>,
  gridSize: number,
  inputSize: number,
  imgWidth: number,
  imgHeight: number,
  scoreThreshold = DEFAULT_SCORE_THRESHOLD,
): Candidate[] {
  const scale = inputSize / Math.max(imgWidth, imgHeight);
  const reshapedW = Math.round(imgWidth * scale);
  const reshapedH = Math.round(imgHeight * scale);
  const side = Math.max(reshapedW, reshapedH);
  const corrX = side / reshapedW;
  const corrY = side / reshapedH;
  const out: Candidate[] = [];
  for (let row = 0; row < gridSize; row++) {
    for (let col = 0; col < gridSize; col++) {
      for (let a = 0; a < ANCHORS.length; a++) {
        const base = ((row * gridSize + col) * ANCHORS.length + a) * ENCODING;
        const score = sigmoid(grid[base + 4] as number);
        if (scoreThreshold && !(score > scoreThreshold)) continue;
        const [aw, ah] = ANCHORS[a] as readonly [number, number];
        const ctX = ((col + sigmoid(grid[base] as number)) / gridSize) * corrX;
        const ctY = ((row + sigmoid(grid[base + 1] as number)) / gridSize) * corrY;
        const w = ((Math.exp(grid[base + 2] as number) * aw) / gridSize) * corrX;
        const h = ((Math.exp(grid[base + 3] as number) * ah) / gridSize) * corrY;
        const x = ctX - w / 2;
        const y = ctY - h / 2;
        out.push({ score, left: x, top: y, right: x + w, bottom: y + h });
      }
    }
  }
  return out;
}

function iou(a: Candidate, b: Candidate, s: number): number {
  // Boxes are compared rescaled by the input size, as face-api does before its NMS.
  const w = Math.max(0, Math.min(a.right * s, b.right * s) - Math.max(a.left * s, b.left * s));
  const h = Math.max(0, Math.min(a.bottom * s, b.bottom * s) - Math.max(a.top * s, b.top * s));
  const inter = w * h;
  const area = (c: Candidate) => (c.right * s - c.left * s) * (c.bottom * s - c.top * s);
  return inter / (area(a) + area(b) - inter);
}

/**
 * Greedy NMS identical to face-api `ops/nonMaxSuppression` (stable ascending sort, pop the best,
 * drop boxes with IoU > threshold), so ties and order come out the same. Returns kept indices in
 * descending score order.
 */
export function nonMaxSuppression(c: Candidate[], iouThreshold: number, inputSize: number): number[] {
  let order = c
    .map((cand, i) => ({ score: cand.score, i }))
    .sort((p, q) => p.score - q.score)
    .map((p) => p.i);
  const pick: number[] = [];
  while (order.length > 0) {
    const cur = order.pop() as number;
    pick.push(cur);
    const best = c[cur] as Candidate;
    order = order.filter((i) => iou(best, c[i] as Candidate, inputSize) <= iouThreshold);
  }
  return pick;
}

/**
 * Relative box -> source pixels. face-api passes a detection through four relative<->absolute
 * round trips before cropping (ObjectDetection, locateFaces, forSize, FaceDetection.forSize); we
 * replay them so the floored crop lands on the same pixel even when a coordinate sits on an edge.
 */
export function toPixelBox(c: Candidate, imgWidth: number, imgHeight: number): PixelBox {
  const trip = (v: number, dim: number): number => {
    let abs = v * dim;
    for (let i = 0; i < 3; i++) abs = abs * (1 / dim) * dim;
    return abs;
  };
  const x = trip(c.left, imgWidth);
  const y = trip(c.top, imgHeight);
  return [x, y, trip(c.right - c.left, imgWidth), trip(c.bottom - c.top, imgHeight)];
}
