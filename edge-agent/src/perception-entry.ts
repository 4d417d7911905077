import type { PerceivedImage, PerceiveOptions } from './perception/perceive.js';

/**
 * `onestop perceive`: faces and expressions on image files, on this machine only. Loaded lazily so
 * that importing the agent package (simulator, dashboard host) never loads sharp or onnxruntime.
 */
export async function perceiveImages(paths: string[], opts: PerceiveOptions = {}): Promise<PerceivedImage[]> {
  const m = await import('./perception/perceive.js');
  return m.perceiveImages(paths, opts);
}
