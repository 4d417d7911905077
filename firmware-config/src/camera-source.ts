import { posix } from 'node:path';

/**
 * What `camera.source` in a device file may name; parsed here, once, so that a typo fails when
 * the file is loaded and the agent and `onestop camera list` read sources the same way.
 */
export type CameraSource =
  /** A folder of still images played in a loop (simulator, tests, a demo without a camera). */
  | { kind: 'replay'; dir: string }
  /** A Raspberry Pi camera module by libcamera index, through rpicam-vid. */
  | { kind: 'rpicam'; camera: number }
  /**
   * A V4L2 device through ffmpeg: `/dev/video0`, or better a stable name under `/dev/v4l/by-id/`
   * (or `by-path/`) that survives re-plugging and a second camera taking `video0`.
   */
  | { kind: 'v4l2'; device: string; stable: boolean }
  /** Anything else is a video file (tests, a recorded counter). */
  | { kind: 'file'; path: string };

/** Where udev puts the stable camera names. */
export const V4L_STABLE_DIRS = ['/dev/v4l/by-id', '/dev/v4l/by-path'] as const;

export function parseCameraSource(source: string): CameraSource {
  if (source.startsWith('replay:')) {
    const dir = source.slice('replay:'.length);
    if (!dir) throw new Error("camera source 'replay:' needs a folder, e.g. replay:/srv/frames");
    return { kind: 'replay', dir };
  }
  if (source.startsWith('rpicam:')) {
    const n = source.slice('rpicam:'.length);
    if (!/^[0-9]$/.test(n)) throw new Error(`camera source '${source}': rpicam:<n> takes a camera index 0–9`);
    return { kind: 'rpicam', camera: Number(n) };
  }
  if (source.startsWith('/dev/')) {
    // Normalised first: `/dev/v4l/by-id/../../video0` is video0, which is not stable at all.
    const device = posix.normalize(source);
    return { kind: 'v4l2', device, stable: V4L_STABLE_DIRS.some((d) => device.startsWith(`${d}/`)) };
  }
  return { kind: 'file', path: source };
}
