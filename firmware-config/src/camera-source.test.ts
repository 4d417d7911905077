import { describe, expect, it } from 'vitest';
import { parseCameraSource } from './camera-source.js';

describe('camera sources', () => {
  it.each([
    [
      '/dev/v4l/by-id/usb-046d_C920-video-index0',
      { kind: 'v4l2', device: '/dev/v4l/by-id/usb-046d_C920-video-index0', stable: true },
    ],
    [
      '/dev/v4l/by-path/platform-usb-0:1:1.0-video-index0',
      { kind: 'v4l2', device: '/dev/v4l/by-path/platform-usb-0:1:1.0-video-index0', stable: true },
    ],
    ['/dev/video0', { kind: 'v4l2', device: '/dev/video0', stable: false }],
    // A stable folder's name in the path is not enough: this is video0 again.
    ['/dev/v4l/by-id/../../video0', { kind: 'v4l2', device: '/dev/video0', stable: false }],
    ['rpicam:1', { kind: 'rpicam', camera: 1 }],
    ['replay:/srv/frames', { kind: 'replay', dir: '/srv/frames' }],
    ['counter-q01.mp4', { kind: 'file', path: 'counter-q01.mp4' }],
  ])('reads %s', (source, parsed) => {
    expect(parseCameraSource(source)).toEqual(parsed);
  });

  it('refuses a malformed source with what it takes', () => {
    expect(() => parseCameraSource('replay:')).toThrow(/needs a folder/);
    expect(() => parseCameraSource('rpicam:front')).toThrow(/camera index 0–9/);
  });
});
