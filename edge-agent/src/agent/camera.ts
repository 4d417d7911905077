import type { AgentConfig } from '@onestop/firmware-config';
import type { PerceptionLike } from './extensions/perception-bridge.js';

type CameraConfig = NonNullable<AgentConfig['camera']>;

/**
 * Builds the camera pipeline from the device file. The perception module (sharp, onnxruntime) is
 * imported only here, lazily, so that devices without a camera never load native ML code.
 * `source`: a V4L2 device (`/dev/video0`), `rpicam:<n>` for a Pi camera, `replay:<folder>` for a
 * folder of still images played in a loop (simulator, tests), or a video file.
 */
export async function cameraPerception(camera: CameraConfig): Promise<{
  create: (resolveVisitId: (startedAt: number, endedAt: number) => string | null) => PerceptionLike;
  /** The models the chosen detector runs, with their sha256, for the birth message. */
  models: Array<{ name: string; sha256: string }>;
}> {
  const p = await import('../perception/index.js');
  const models = await p.modelInfo(camera.detector);
  const worker = await p.PerceptionWorker.start({ detector: camera.detector, intraOpNumThreads: 1 });
  const source = camera.source.startsWith('rpicam:')
    ? p.rpicamSource({ fps: camera.fps, camera: Number(camera.source.slice(7)) || 0 })
    : camera.source.startsWith('replay:')
      ? new p.ImageReplaySource({ dir: camera.source.slice(7), fps: camera.fps, loop: true, realtime: true })
      : camera.source.startsWith('/dev/')
        ? p.v4l2Source({ device: camera.source, fps: camera.fps })
        : p.videoFileSource({ path: camera.source, fps: camera.fps });
  const create = (resolveVisitId: (startedAt: number, endedAt: number) => string | null) => {
    const perception = new p.CounterPerception({
      source,
      analyser: worker,
      role: camera.role,
      resolveVisitId,
    });
    const stopPipeline = perception.stop.bind(perception);
    // The worker thread belongs to this pipeline: stopping the camera also ends the thread.
    return Object.assign(perception, {
      stop: async () => {
        await stopPipeline();
        await worker.close();
      },
    });
  };
  return { create, models };
}
