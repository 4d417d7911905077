import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

/**
 * Detector plugin interface (in the spirit of Frigate's detector plugins): a backend only maps an
 * input tensor to the model's raw output tensor. Pre-processing, decoding, NMS and cropping live in
 * the engine, so a different runtime (an NPU SDK, tflite, a remote accelerator) only has to
 * implement these few methods.
 */
export interface Tensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface DetectorBackend {
  readonly name: string;
  /**
   * NCHW [1, 3, S, S] resized RGB in [0, 255] (preprocess.ts) -> raw grid NHWC [1, S/32, S/32, 25].
   * `input.data` may be a view of the engine's wasm memory: read it before the promise settles and
   * keep no reference to it.
   */
  detect(input: Tensor): Promise<Tensor>;
  /** NCHW [N, 3, 112, 112] normalised RGB crops -> probabilities [N, 7]. */
  classifyExpressions(input: Tensor): Promise<Tensor>;
  close(): Promise<void>;
}

export interface OrtBackendOptions {
  /** A directory with the ONNX files instead of the `@onestop/models` package (a test, a trial). */
  modelDir?: string;
  /** ORT intra-op threads: 1 on a Raspberry Pi so the agent keeps a core; default: ORT's choice. */
  intraOpNumThreads?: number;
  /**
   * Pin the detector's dynamic input side (e.g. 416) so ORT can plan memory for fixed shapes
   * (~10 % faster); leave unset to accept any size divisible by 32.
   */
  fixedInputSize?: number;
}

/** The ONNX models this system ships, each a file exported by `@onestop/models` (`onnx/<name>.onnx`). */
export type ModelName = 'tiny_face_detector' | 'face_expression';

const require = createRequire(import.meta.url);

/**
 * Where a model file is: in `dir` when given (or `ONESTOP_MODEL_DIR`), else resolved through the
 * `@onestop/models` package's exports, the same from src/, dist/ or an installed package.
 */
export function modelPath(name: ModelName, dir: string | undefined = process.env.ONESTOP_MODEL_DIR): string {
  const file = `${name}.onnx`;
  let p: string;
  try {
    p = dir ? join(dir, file) : require.resolve(`@onestop/models/onnx/${file}`);
  } catch (e) {
    throw new Error(`model ${file} is not in @onestop/models (${(e as Error).message})`);
  }
  if (!existsSync(p)) {
    throw new Error(`model ${file} not found at ${p}; run \`npm run -w @onestop/models convert\``);
  }
  return p;
}

/** The folder the shipped models are in (a test watches it for writes). */
export function defaultModelDir(): string {
  return dirname(modelPath('tiny_face_detector'));
}

/** onnxruntime-node CPU backend. */
export class OrtBackend implements DetectorBackend {
  readonly name = 'onnxruntime-cpu';

  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly expression: ort.InferenceSession,
  ) {}

  static async create(opts: OrtBackendOptions = {}): Promise<OrtBackend> {
    const session: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.intraOpNumThreads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // Worker threads must not busy-wait between frames: on a shared board the spinning would
      // steal the CPU the agent (and, in the benchmark, the reference) needs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    const detector = await ort.InferenceSession.create(modelPath('tiny_face_detector', opts.modelDir), {
      ...session,
      ...(opts.fixedInputSize ? { freeDimensionOverrides: { size: opts.fixedInputSize } } : {}),
    });
    const expression = await ort.InferenceSession.create(
      modelPath('face_expression', opts.modelDir),
      session,
    );
    return new OrtBackend(detector, expression);
  }

  async detect(input: Tensor): Promise<Tensor> {
    const out = await this.detector.run({ input: new ort.Tensor('float32', input.data, [...input.dims]) });
    return toTensor(out.grid);
  }

  async classifyExpressions(input: Tensor): Promise<Tensor> {
    const out = await this.expression.run({ input: new ort.Tensor('float32', input.data, [...input.dims]) }, [
      'probabilities',
    ]);
    return toTensor(out.probabilities);
  }

  async close(): Promise<void> {
    await this.detector.release();
    await this.expression.release();
  }
}

function toTensor(t: ort.Tensor | undefined): Tensor {
  if (!t || !(t.data instanceof Float32Array)) throw new Error('model returned no float32 output');
  return { data: t.data, dims: t.dims };
}
