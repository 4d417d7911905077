import type { DetectorName } from '@onestop/firmware-config';

/**
 * The model files a release ships and their SHA-256, named and hashed by the one definition the
 * agent's birth uses (perception/model-info.ts), so the centre knows before the rollout what
 * `birth.models` will then say. `dir` as `ONESTOP_MODEL_DIR`; none: the `@onestop/models` package.
 * Loaded lazily: it brings onnxruntime in.
 */
export async function releaseModelFiles(
  dir?: string,
  detector: DetectorName = 'onnx-cpu',
): Promise<Array<{ name: string; sha256: string; path: string }>> {
  const [{ modelInfo }, { modelPath }] = await Promise.all([
    import('../perception/model-info.js'),
    import('../perception/backend.js'),
  ]);
  const info = await modelInfo(detector, dir);
  return info.map((m) => ({ ...m, path: modelPath(m.name as Parameters<typeof modelPath>[0], dir) }));
}
