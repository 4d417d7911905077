import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DetectorName } from '@onestop/firmware-config';
import { modelPath } from './backend.js';
import { DETECTORS } from './detectors.js';

/** Names and sha256 of the models a detector loads, for the device's birth message (`models`). */
export async function modelInfo(
  detector: DetectorName = 'onnx-cpu',
  modelDir?: string,
): Promise<Array<{ name: string; sha256: string }>> {
  return Promise.all(
    DETECTORS[detector].models.map(async (name) => {
      const bytes = await readFile(modelPath(name, modelDir));
      return { name, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}
