import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One weight entry of a tfjs `*-weights_manifest.json`. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** A dequantised weight in the tfjs (TensorFlow, channels-last) layout. */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

const BYTES = { uint8: 1, uint16: 2, float16: 2, float32: 4 } as const;

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Decodes one weight exactly as tfjs-core's `io.decodeWeights` does: `q * scale + min` computed in
 * float64 and rounded once into a Float32Array. Doing the same arithmetic is what makes the ONNX
 * weights bit-identical to the ones face-api runs with, so parity failures can only come from graph
 * differences, not from the weights.
 */
function decodeWeight(spec: TfjsWeightSpec, bytes: Uint8Array): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization;
  const out = new Float32Array(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!q) {
    for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (q.dtype === 'float16') {
    for (let i = 0; i < size; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
    return out;
  }
  if (q.scale === undefined || q.min === undefined) {
    throw new Error(`weight ${spec.name}: ${q.dtype} quantization without scale/min`);
  }
  for (let i = 0; i < size; i++) {
    const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
    out[i] = v * q.scale + q.min;
  }
  return out;
}

/**
 * Reads `<dir>/<modelName>-weights_manifest.json` and its shard files and returns every weight,
 * dequantised, keyed by its tfjs name (e.g. `conv1/depthwise_filter`).
 */
export function loadTfjsWeights(dir: string, modelName: string): Map<string, Weight> {
  const manifestPath = join(dir, `${modelName}-weights_manifest.json`);
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as TfjsWeightGroup[];
  const weights = new Map<string, Weight>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(join(dir, p)));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const byteLength = size * BYTES[spec.quantization?.dtype ?? 'float32'];
      if (offset + byteLength > buffer.length) throw new Error(`weight ${spec.name}: shard too short`);
      const data = decodeWeight(spec, buffer.subarray(offset, offset + byteLength));
      weights.set(spec.name, { shape: spec.shape, data });
      offset += byteLength;
    }
    if (offset !== buffer.length) {
      throw new Error(`${modelName}: ${buffer.length - offset} trailing bytes in weight shards`);
    }
  }
  return weights;
}

/** Looks up a weight and checks its shape, so a changed upstream manifest fails loudly. */
export function takeWeight(weights: Map<string, Weight>, name: string, shape: number[]): Weight {
  const w = weights.get(name);
  if (!w) throw new Error(`missing weight ${name}`);
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`weight ${name}: expected shape [${shape}], got [${w.shape}]`);
  }
  return w;
}

/** TF conv filter [kh, kw, in, out] -> ONNX Conv weight [out, in, kh, kw]. */
export function hwioToOihw(w: Weight): Weight {
  const [kh = 0, kw = 0, ci = 0, co = 0] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          out[((o * ci + i) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + i) * co + o] ?? 0;
        }
  return { shape: [co, ci, kh, kw], data: out };
}

/** TF depthwise filter [kh, kw, c, 1] -> ONNX grouped Conv weight [c, 1, kh, kw]. */
export function depthwiseToOihw(w: Weight): Weight {
  const [kh = 0, kw = 0, c = 0, m = 0] = w.shape;
  if (m !== 1) throw new Error(`depthwise multiplier ${m} not supported`);
  const t = hwioToOihw({ shape: [kh, kw, 1, c], data: w.data });
  return { shape: [c, 1, kh, kw], data: t.data };
}
