import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCameraSource } from '@onestop/firmware-config';
import { afterAll, describe, expect, it } from 'vitest';
import { cameraNode, listCameras, resolveCameraDevice } from './camera-devices.js';

/** A /dev as udev lays it out: relative links from by-id and by-path to the video nodes. */
const root = mkdtempSync(join(tmpdir(), 'v4l-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const n of ['video0', 'video1', 'video2']) {
  mkdirSync(join(root, 'dev'), { recursive: true });
  writeFileSync(join(root, 'dev', n), '');
}
mkdirSync(join(root, 'dev/v4l/by-id'), { recursive: true });
mkdirSync(join(root, 'dev/v4l/by-path'), { recursive: true });
const CAM = 'usb-046d_HD_Pro_Webcam_C920_8F3C1A2B-video-index0';
symlinkSync('../../video2', join(root, 'dev/v4l/by-id', CAM));
symlinkSync('../../video3', join(root, 'dev/v4l/by-id', 'usb-gone-video-index0')); // dangling
symlinkSync('../../video0', join(root, 'dev/v4l/by-path', 'platform-xhci-hcd.0-usb-0:1:1.0-video-index0'));

describe('cameras by stable names', () => {
  it('resolves a by-id name to the node it points at now, and null when unplugged', () => {
    expect(resolveCameraDevice(`/dev/v4l/by-id/${CAM}`, root)).toBe('/dev/video2');
    expect(resolveCameraDevice('/dev/video1', root)).toBe('/dev/video1');
    expect(resolveCameraDevice('/dev/v4l/by-id/usb-gone-video-index0', root)).toBeNull();
  });

  it('lists by-id then by-path names with their nodes, skipping dangling links', () => {
    expect(listCameras(root)).toEqual([
      { path: `/dev/v4l/by-id/${CAM}`, device: '/dev/video2', via: 'by-id' },
      {
        path: '/dev/v4l/by-path/platform-xhci-hcd.0-usb-0:1:1.0-video-index0',
        device: '/dev/video0',
        via: 'by-path',
      },
    ]);
    expect(listCameras(join(root, 'nowhere'))).toEqual([]);
  });

  it('tells what to log: the node now, and the stable name a bare /dev/videoN could use', () => {
    const node = (source: string) => {
      const src = parseCameraSource(source);
      if (src.kind !== 'v4l2') throw new Error(`${source} is not a V4L2 source`);
      return cameraNode(src, root);
    };
    expect(node(`/dev/v4l/by-id/${CAM}`)).toEqual({ device: '/dev/video2', stableName: null });
    expect(node('/dev/video2')).toEqual({ device: '/dev/video2', stableName: `/dev/v4l/by-id/${CAM}` });
    expect(node('/dev/video1')).toEqual({ device: '/dev/video1', stableName: null });
    expect(node('/dev/video9')).toEqual({ device: null, stableName: null });
  });
});
