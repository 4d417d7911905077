import { createDetector } from './detectors.js';
import { type EngineOptions, PerceptionEngine } from './engine.js';
import { decodeImage } from './image.js';
import type { Expr7, PixelBox } from './types.js';
import { PerceptionWorker } from './worker-client.js';

export interface PerceiveOptions extends EngineOptions {
  modelDir?: string;
  intraOpNumThreads?: number;
  /** Run inference in a worker thread (default false: a one-shot CLI has no loop to protect). */
  worker?: boolean;
}

export interface PerceivedImage {
  file: string;
  /** Decode + detection + expressions for this file, in milliseconds. */
  ms: number;
  faces: Array<{ box: PixelBox; score: number; expressions: Expr7 }>;
}

/**
 * `onestop perceive IMAGE… --json`: faces and expressions for image files. Boxes are in pixels of
 * the (EXIF-oriented) source image, best score first. Images are decoded in memory; nothing is
 * written anywhere.
 */
export async function perceiveImages(paths: string[], opts: PerceiveOptions = {}): Promise<PerceivedImage[]> {
  const engineOpts: EngineOptions = {
    ...(opts.inputSize ? { inputSize: opts.inputSize } : {}),
    ...(opts.scoreThreshold ? { scoreThreshold: opts.scoreThreshold } : {}),
    ...(opts.iouThreshold ? { iouThreshold: opts.iouThreshold } : {}),
  };
  const backendOpts = {
    ...(opts.modelDir ? { modelDir: opts.modelDir } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    fixedInputSize: opts.inputSize ?? 416,
  };
  const runner = opts.worker
    ? await PerceptionWorker.start({ ...backendOpts, engine: engineOpts })
    : new PerceptionEngine(await createDetector('onnx-cpu', backendOpts), engineOpts);
  try {
    const out: PerceivedImage[] = [];
    for (const file of paths) {
      const t0 = performance.now();
      const img = await decodeImage(file);
      const res = await runner.analyse(img, { expressions: true });
      out.push({
        file,
        ms: Math.round((performance.now() - t0) * 10) / 10,
        faces: res.faces
          .filter((f): f is typeof f & { expressions: Expr7 } => f.expressions !== null)
          .map((f) => ({ box: f.box, score: f.score, expressions: f.expressions })),
      });
    }
    return out;
  } finally {
    if (runner instanceof PerceptionWorker) await runner.close();
    else await runner.backend.close();
  }
}
