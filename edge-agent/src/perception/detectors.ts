import type { DetectorName } from '@onestop/firmware-config';
import { type DetectorBackend, type ModelName, OrtBackend, type OrtBackendOptions } from './backend.js';

export type DetectorOptions = OrtBackendOptions;

interface DetectorSpec {
  /** The model files it loads: what the device's birth message reports the hashes of. */
  readonly models: readonly ModelName[];
  create(opts: DetectorOptions): Promise<DetectorBackend>;
}

/**
 * Every perception backend a device file can choose with `camera.detector`, like Frigate's
 * detectors. Typed by the config's names: a name added to the config schema without a backend
 * here does not compile.
 */
export const DETECTORS: { readonly [K in DetectorName]: DetectorSpec } = {
  'onnx-cpu': {
    models: ['tiny_face_detector', 'face_expression'],
    create: (opts) => OrtBackend.create(opts),
  },
};

export function createDetector(name: DetectorName, opts: DetectorOptions = {}): Promise<DetectorBackend> {
  const spec = DETECTORS[name];
  if (!spec) throw new Error(`unknown detector "${name}"; known: ${Object.keys(DETECTORS).join(', ')}`);
  return spec.create(opts);
}
