import type { DetectorBackend } from './backend.js';
import {
  DEFAULT_IOU_THRESHOLD,
  DEFAULT_SCORE_THRESHOLD,
  decodeGrid,
  nonMaxSuppression,
  toPixelBox,
} from './decode.js';
import { type CropWindow, detectorInput, detectorWindow, expressionInput, faceCrop } from './preprocess.js';
import { WasmResizer } from './resize.js';
import {
  type AnalyseOptions,
  centreIn,
  type FaceResult,
  type FrameAnalysis,
  type PixelBox,
  type RgbImage,
  toExpr7,
} from './types.js';

export interface EngineOptions {
  /** Detector input side, divisible by 32: 416 (face-api default), 320 or 224 for a Pi. */
  inputSize?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
}

export const EXPRESSION_INPUT = 112;

/**
 * Runs the full per-frame path on a decoded RGB image: detector pre-processing, backend.detect,
 * decode + NMS, then one batched expression call for every face that may be analysed. Pure
 * computation on in-memory buffers; it never touches the disk.
 */
export class PerceptionEngine {
  readonly inputSize: number;
  private readonly scoreThreshold: number;
  private readonly iouThreshold: number;
  /** The detector input's home: see rawGrid. */
  private readonly resizer = new WasmResizer();
  private resizerBusy = false;

  constructor(
    readonly backend: DetectorBackend,
    opts: EngineOptions = {},
  ) {
    this.inputSize = opts.inputSize ?? 416;
    if (this.inputSize % 32 !== 0 || this.inputSize < 64) {
      throw new Error(`inputSize must be a multiple of 32 (got ${this.inputSize})`);
    }
    this.scoreThreshold = opts.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
    this.iouThreshold = opts.iouThreshold ?? DEFAULT_IOU_THRESHOLD;
  }

  /** Raw detector output for an image, as face-api's `tinyFaceDetector.forward` returns it. */
  async rawGrid(img: RgbImage): Promise<{ data: Float32Array; gridSize: number }> {
    const s = this.inputSize;
    // The input is resized into this engine's own wasm memory and handed to the backend as a view of
    // it: no 2 MB copy (and its cache traffic) per frame. The view stays valid while the backend
    // runs because nothing else uses this resizer until then; a concurrent call finds it taken and
    // resizes into a fresh array instead.
    const own = !this.resizerBusy;
    this.resizerBusy = true;
    try {
      const data = own ? this.resizer.resizeView(img, detectorWindow(img), s, null) : detectorInput(img, s);
      const out = await this.backend.detect({ data, dims: [1, 3, s, s] });
      return { data: out.data, gridSize: out.dims[1] ?? s / 32 };
    } finally {
      if (own) this.resizerBusy = false;
    }
  }

  /** Face boxes (source pixels, unclipped as face-api reports them) with scores, best first. */
  async detectFaces(img: RgbImage): Promise<Array<{ box: PixelBox; score: number }>> {
    const { data, gridSize } = await this.rawGrid(img);
    const cands = decodeGrid(data, gridSize, this.inputSize, img.width, img.height, this.scoreThreshold);
    return nonMaxSuppression(cands, this.iouThreshold, this.inputSize).map((i) => {
      const c = cands[i] as (typeof cands)[number];
      return { box: toPixelBox(c, img.width, img.height), score: c.score };
    });
  }

  async analyse(img: RgbImage, opts: AnalyseOptions): Promise<FrameAnalysis> {
    const t0 = performance.now();
    const dets = await this.detectFaces(img);
    const faces: FaceResult[] = dets.map((d) => ({
      box: clip(d.box, img),
      score: d.score,
      expressions: null,
    }));
    if (opts.expressions && dets.length > 0) {
      const jobs: Array<{ face: FaceResult; crop: CropWindow }> = [];
      dets.forEach((d, i) => {
        const face = faces[i] as FaceResult;
        if (opts.excludeRegions?.some((r) => centreIn(face.box, r, img.width, img.height))) return;
        const crop = faceCrop(d.box, img.width, img.height);
        if (crop) jobs.push({ face, crop });
      });
      if (jobs.length > 0) {
        const n = jobs.length;
        const input = expressionInput(
          img,
          jobs.map((j) => j.crop),
          EXPRESSION_INPUT,
        );
        const out = await this.backend.classifyExpressions({
          data: input,
          dims: [n, 3, EXPRESSION_INPUT, EXPRESSION_INPUT],
        });
        jobs.forEach((j, i) => {
          j.face.expressions = toExpr7(out.data, i * 7);
        });
      }
    }
    return { width: img.width, height: img.height, faces, inferenceMs: performance.now() - t0 };
  }
}

/** Clips a box to the image (callers want on-image boxes; face-api reports them unclipped). */
function clip(b: PixelBox, img: RgbImage): PixelBox {
  const x = Math.max(0, b[0]);
  const y = Math.max(0, b[1]);
  return [
    x,
    y,
    Math.max(0, Math.min(b[0] + b[2], img.width) - x),
    Math.max(0, Math.min(b[1] + b[3], img.height) - y),
  ];
}
