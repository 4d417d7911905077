export { type ConvertedModel, convertAll, faceApiModelDir, ONNX_DIR, writeModels } from './convert.js';
export { buildFaceExpression, FACE_EXPRESSION } from './face-expression.js';
export {
  FIXTURE_DIR,
  type FixtureImages,
  faceApiSamples,
  fetchSkimageFixtures,
  fixtureImages,
} from './fixtures.js';
export {
  type FaceApiReference,
  loadFaceApiReference,
  type ReferenceFace,
  type RgbLike,
} from './reference.js';
export { loadTfjsWeights, type Weight } from './tfjs-weights.js';
export { buildTinyFaceDetector, TINY_FACE_DETECTOR } from './tiny-face-detector.js';
