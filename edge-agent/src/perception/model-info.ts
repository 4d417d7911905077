import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultModelDir } from './backend.js';

/** Names and sha256 of the ONNX models in use, for the device's birth message (`models`). */
export async function modelInfo(
  modelDir = defaultModelDir(),
): Promise<Array<{ name: string; sha256: string }>> {
  const names = ['tiny_face_detector', 'face_expression'];
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(modelDir, `${name}.onnx`));
      return { name, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}
