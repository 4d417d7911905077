import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFaceExpression } from './face-expression.js';
import { modelCard } from './model-cards.js';
import { buildTinyFaceDetector, faceApiVersion } from './tiny-face-detector.js';

/** Directory of the pinned face-api package's tfjs weights (resolved like any dependency). */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** models/onnx of this workspace; same relative depth from src/ and dist/. */
export const ONNX_DIR = fileURLToPath(new URL('../onnx/', import.meta.url));

export interface ConvertedModel {
  name: 'tiny_face_detector' | 'face_expression';
  onnx: Buffer;
  card: string;
  sha256: string;
}

/** Builds both models and their model cards in memory (no file I/O besides reading weights). */
export function convertAll(modelDir = faceApiModelDir()): ConvertedModel[] {
  const version = faceApiVersion(modelDir);
  const built = [
    { name: 'tiny_face_detector' as const, onnx: buildTinyFaceDetector(modelDir) },
    { name: 'face_expression' as const, onnx: buildFaceExpression(modelDir) },
  ];
  return built.map(({ name, onnx }) => {
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    return {
      name,
      onnx,
      sha256,
      card: modelCard(name, { sha256, faceApiVersion: version, bytes: onnx.length }),
    };
  });
}

/** Writes `<name>.onnx` and `<name>.md` into `outDir` and returns what was written. */
export function writeModels(outDir = ONNX_DIR, modelDir = faceApiModelDir()): ConvertedModel[] {
  mkdirSync(outDir, { recursive: true });
  const models = convertAll(modelDir);
  for (const m of models) {
    writeFileSync(join(outDir, `${m.name}.onnx`), m.onnx);
    writeFileSync(join(outDir, `${m.name}.md`), m.card);
  }
  return models;
}
