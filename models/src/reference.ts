import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The reference implementation for parity tests and the benchmark: @vladmandic/face-api itself
 * (its node-wasm build) on @tensorflow/tfjs with the WASM backend, loaded from local files only.
 * Loaded lazily because tfjs is large and only tests/benchmarks need it.
 */

/** Packed 8-bit RGB, as edge-agent's perception decodes frames. */
export interface RgbLike {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ReferenceFace {
  /** face-api `detection.box` in source pixels (unclipped) as [x, y, width, height]. */
  box: [number, number, number, number];
  score: number;
  /** Probabilities in face-api order: neutral, happy, sad, angry, fearful, disgusted, surprised. */
  expressions: number[];
}

export interface FaceApiReference {
  faceApiVersion: string;
  tfjsVersion: string;
  /** Raw TinyFaceDetector output [1, S/32, S/32, 25] for the whole image. */
  rawGrid(img: RgbLike, inputSize: number): Promise<{ data: Float32Array; dims: number[] }>;
  /** `detectAllFaces(img, TinyFaceDetectorOptions).withFaceExpressions()`. */
  detectAll(img: RgbLike, inputSize: number, scoreThreshold?: number): Promise<ReferenceFace[]>;
}

// Minimal structural views of the tfjs / face-api objects we touch (their typings are huge).
interface TfTensor {
  shape: number[];
  data(): Promise<Float32Array>;
  dispose(): void;
}
interface Tfjs {
  version_core: string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): TfTensor;
}
interface FaceApi {
  version: string;
  nets: {
    tinyFaceDetector: {
      loadFromDisk(dir: string): Promise<void>;
      forward(t: TfTensor, s: number): Promise<TfTensor>;
    };
    faceExpressionNet: { loadFromDisk(dir: string): Promise<void> };
  };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => object;
  detectAllFaces(
    t: TfTensor,
    o: object,
  ): {
    withFaceExpressions(): Promise<
      Array<{
        detection: { score: number; box: { x: number; y: number; width: number; height: number } };
        expressions: Record<string, number>;
      }>
    >;
  };
}

const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
let loaded: Promise<FaceApiReference> | null = null;

/** Loads face-api + tfjs-wasm once per process (WASM binaries from node_modules, no network). */
export function loadFaceApiReference(): Promise<FaceApiReference> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<FaceApiReference> {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs') as Tfjs;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void };
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  // A plain directory prefix (no platform fetch): Node's fetch cannot load local paths.
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);

  const toTensor = (img: RgbLike) =>
    tf.tensor3d(Int32Array.from(img.data), [img.height, img.width, 3], 'int32');

  return {
    faceApiVersion: faceapi.version,
    tfjsVersion: tf.version_core,
    async rawGrid(img, inputSize) {
      const t = toTensor(img);
      try {
        const out = await faceapi.nets.tinyFaceDetector.forward(t, inputSize);
        const data = await out.data();
        const dims = out.shape;
        out.dispose();
        return { data, dims };
      } finally {
        t.dispose();
      }
    },
    async detectAll(img, inputSize, scoreThreshold = 0.5) {
      const t = toTensor(img);
      try {
        const opts = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
        const res = await faceapi.detectAllFaces(t, opts).withFaceExpressions();
        return res.map((r) => ({
          box: [r.detection.box.x, r.detection.box.y, r.detection.box.width, r.detection.box.height],
          score: r.detection.score,
          expressions: LABELS.map((l) => r.expressions[l] ?? Number.NaN),
        }));
      } finally {
        t.dispose();
      }
    },
  };
}
