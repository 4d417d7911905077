import { type AgentConfig, parseCameraSource } from '@onestop/firmware-config';
import type { Logger } from 'pino';
import { cameraNode } from './camera-devices.js';
import type { PerceptionLike } from './extensions/perception-bridge.js';

type CameraConfig = NonNullable<AgentConfig['camera']>;

/**
 * Builds the camera pipeline from the device file. The perception module (sharp, onnxruntime) is
 * imported only here, lazily, so that devices without a camera never load native ML code.
 * Sources are parsed in firmware-config (camera-source.ts): a V4L2 device (`/dev/v4l/by-id/…` or
 * `/dev/video0`), `rpicam:<n>` for a Pi camera, `replay:<folder>` for a folder of still images
 * played in a loop (simulator, tests), or a video file.
 */
export async function cameraPerception(
  camera: CameraConfig,
  logger?: Pick<Logger, 'info' | 'warn'>,
): Promise<{
  create: (resolveVisitId: (startedAt: number, endedAt: number) => string | null) => PerceptionLike;
  /** The models the chosen detector runs, with their sha256, for the birth message. */
  models: Array<{ name: string; sha256: string }>;
}> {
  const src = parseCameraSource(camera.source);
  if (src.kind === 'v4l2') {
    // Logged, not substituted: ffmpeg opens the stable name, so a re-plugged camera that comes
    // back as another /dev/videoN is still found.
    const { device, stableName } = cameraNode(src);
    if (device === null) logger?.warn({ source: src.device }, 'camera device not found (unplugged?)');
    else if (stableName)
      logger?.info(
        { source: src.device, stableName },
        'camera device: name it by its stable name in camera.source to survive re-plugging',
      );
    else logger?.info({ source: src.device, device }, 'camera device');
  }
  const p = await import('../perception/index.js');
  const models = await p.modelInfo(camera.detector);
  const worker = await p.PerceptionWorker.start({ detector: camera.detector, intraOpNumThreads: 1 });
  const { fps } = camera;
  const source =
    src.kind === 'rpicam'
      ? p.rpicamSource({ fps, camera: src.camera })
      : src.kind === 'replay'
        ? new p.ImageReplaySource({ dir: src.dir, fps, loop: true, realtime: true })
        : src.kind === 'v4l2'
          ? p.v4l2Source({ device: src.device, fps })
          : p.videoFileSource({ path: src.path, fps });
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
