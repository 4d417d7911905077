import { ONNX_DIR, writeModels } from '../convert.js';

// Regenerates models/onnx/*.onnx and their model cards from the pinned @vladmandic/face-api weights.
for (const m of writeModels()) {
  process.stdout.write(`${m.name}.onnx  ${m.onnx.length} bytes  sha256 ${m.sha256}\n`);
}
process.stdout.write(`written to ${ONNX_DIR}\n`);
