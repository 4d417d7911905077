/** Shared perception types. Everything that leaves this folder is plain numbers and strings. */

/** The seven face-api expression classes, in model output order. */
export const EXPRESSION_LABELS = [
  'neutral',
  'happy',
  'sad',
  'angry',
  'fearful',
  'disgusted',
  'surprised',
] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];

/** Probabilities of the seven classes (sum ~1). Matches the protocol's ExpressionProbabilities. */
export type Expr7 = Record<ExpressionLabel, number>;

/** [x, y, width, height] in source-image pixels. */
export type PixelBox = [number, number, number, number];

/** [x, y, width, height] as fractions (0..1) of the image width/height. */
export type NormBox = [number, number, number, number];

/** A decoded frame: tightly packed 8-bit RGB, row-major, `width * height * 3` bytes. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One detected face. `expressions` is null when expressions were not requested for it. */
export interface FaceResult {
  box: PixelBox;
  score: number;
  expressions: Expr7 | null;
}

export interface FrameAnalysis {
  width: number;
  height: number;
  faces: FaceResult[];
  /** Wall time spent inside the engine (pre-processing + inference + decode). */
  inferenceMs: number;
}

/** Per-frame analysis options. */
export interface AnalyseOptions {
  /** Run the expression model on detected faces (never for officer-side cameras). */
  expressions: boolean;
  /** Faces whose centre falls in one of these regions get no expression (e.g. the officer's seat). */
  excludeRegions?: NormBox[];
}

export function toExpr7(p: ArrayLike<number>, offset = 0): Expr7 {
  return {
    neutral: p[offset] ?? 0,
    happy: p[offset + 1] ?? 0,
    sad: p[offset + 2] ?? 0,
    angry: p[offset + 3] ?? 0,
    fearful: p[offset + 4] ?? 0,
    disgusted: p[offset + 5] ?? 0,
    surprised: p[offset + 6] ?? 0,
  };
}

/** The class with the highest probability. */
export function topExpression(e: Expr7): ExpressionLabel {
  let best: ExpressionLabel = 'neutral';
  for (const k of EXPRESSION_LABELS) if (e[k] > e[best]) best = k;
  return best;
}

/** True when the centre of `box` (pixels) lies inside the normalised `region`. */
export function centreIn(box: PixelBox, region: NormBox, width: number, height: number): boolean {
  const cx = (box[0] + box[2] / 2) / width;
  const cy = (box[1] + box[3] / 2) / height;
  return cx >= region[0] && cx <= region[0] + region[2] && cy >= region[1] && cy <= region[1] + region[3];
}
