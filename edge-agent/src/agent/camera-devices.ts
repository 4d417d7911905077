import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { V4L_STABLE_DIRS } from '@onestop/firmware-config';

/** A camera as udev names it for good, and the node it points at now. */
export interface CameraEntry {
  /** The stable path to put in `camera.source`. */
  path: string;
  /** `/dev/videoN` today; may change after a re-plug or a reboot, the stable path does not. */
  device: string;
  via: 'by-id' | 'by-path';
}

/**
 * The node a V4L2 source names now, for the log: a technician comparing with `v4l2-ctl` needs
 * `/dev/video2`, while the agent keeps opening the stable name (ffmpeg follows the link, so a
 * re-plugged camera is found again). Null when nothing is there (camera unplugged).
 */
export function resolveCameraDevice(device: string, root = ''): string | null {
  try {
    const base = root ? realpathSync(root) : '';
    return realpathSync(root + device).slice(base.length);
  } catch {
    return null;
  }
}

/**
 * Every camera udev gave a stable name. USB cameras have a `by-id` name from their serial (or
 * model, when two identical ones have none: then use `by-path`, the USB port); each video node
 * of a camera is listed (the capture one usually ends in `-video-index0`). `root` is for tests.
 */
export function listCameras(root = ''): CameraEntry[] {
  const out: CameraEntry[] = [];
  for (const dir of V4L_STABLE_DIRS) {
    const full = root + dir;
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      const path = `${dir}/${name}`;
      const device = resolveCameraDevice(path, root);
      if (device) out.push({ path, device, via: dir.endsWith('by-id') ? 'by-id' : 'by-path' });
    }
  }
  return out;
}

/**
 * What to log about a V4L2 source when the camera starts: the node it is now, and for a bare
 * `/dev/videoN` the stable name of the same camera, so the log says what to write instead.
 */
export function cameraNode(
  src: { device: string; stable: boolean },
  root = '',
): { device: string | null; stableName: string | null } {
  const node = resolveCameraDevice(src.device, root);
  const stableName =
    !src.stable && node ? (listCameras(root).find((c) => c.device === node)?.path ?? null) : null;
  return { device: node, stableName };
}
