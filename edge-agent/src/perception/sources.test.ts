import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faceApiSamples, fixtureImages } from '@onestop/models';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Frame, SourceError } from './frame-source.js';
import { ProcessFrameSource, rpicamSource, v4l2Source, videoFileSource } from './process-source.js';
import { ImageReplaySource } from './replay-source.js';

async function collect(src: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of src) out.push(f);
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'onestop-src-'));
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('frame sources', () => {
  it('a missing capture binary ends the stream with binary_missing, without throwing', async () => {
    for (const src of [
      v4l2Source({ ffmpeg: 'onestop-no-such-ffmpeg' }),
      rpicamSource({ binary: 'onestop-no-such-rpicam' }),
    ]) {
      const errors: SourceError[] = [];
      src.on('error', (e) => errors.push(e));
      expect(await collect(src)).toEqual([]);
      expect(src.lastError?.reason).toBe('binary_missing');
      expect(errors).toHaveLength(1);
    }
  });

  it('a process that exits before any frame reports device_unavailable with its stderr (no listener, no crash)', async () => {
    const src = new ProcessFrameSource({
      kind: 'v4l2',
      command: 'sh',
      args: ['-c', 'echo "/dev/video9: No such file or directory" >&2; exit 1'],
    });
    expect(await collect(src)).toEqual([]);
    expect(src.lastError?.reason).toBe('device_unavailable');
    expect(src.lastError?.message).toContain('No such file or directory');
  });

  it('splits a capture process stdout into frames (cat of an MJPEG stream stands in for ffmpeg)', async () => {
    const jpegs = faceApiSamples().map((f) => readFileSync(f));
    // Test scaffolding only: the stream file lives in a private temp dir outside the pipeline.
    const stream = join(scratch, 'stream.mjpeg');
    writeFileSync(stream, Buffer.concat(jpegs));
    const src = new ProcessFrameSource({ kind: 'test', command: 'cat', args: [stream] });
    // Consume slowly enough that nothing is dropped: the queue holds 2, cat writes all at once,
    // so count what arrived plus what was dropped.
    const frames = await collect(src);
    expect(frames.length + src.dropped).toBe(jpegs.length);
    expect(src.lastError).toBeNull();
    for (const f of frames) expect(jpegs.some((j) => j.equals(f.data))).toBe(true);
  });

  it('a stalled camera is reported as stalled', async () => {
    const src = new ProcessFrameSource({ kind: 'test', command: 'sleep', args: ['5'], startupMs: 200 });
    expect(await collect(src)).toEqual([]);
    expect(src.lastError?.reason).toBe('stalled');
  });

  it('replays a folder of images with simulated timestamps and no drops when not realtime', async () => {
    const dir = join(faceApiSamples()[0] as string, '..');
    const src = new ImageReplaySource({ dir, fps: 4, realtime: false, startTs: 1_000_000 });
    const frames = await collect(src);
    expect(frames.length).toBeGreaterThanOrEqual(6);
    expect(frames.map((f) => f.ts).slice(0, 3)).toEqual([1_000_000, 1_000_250, 1_000_500]);
    expect(src.dropped).toBe(0);
  });

  // Only where ffmpeg is installed (the Pi image has it; the dev VM may not).
  it.skipIf(!hasFfmpeg)('replays a video file through ffmpeg as JPEG frames', async () => {
    const fx = await fixtureImages();
    const video = join(scratch, 'astronaut.avi');
    execFileSync(
      'ffmpeg',
      ['-loglevel', 'error', '-y', '-loop', '1', '-i', fx.astronaut, '-t', '2', '-r', '5'].concat([
        '-c:v',
        'mjpeg',
        '-q:v',
        '4',
        video,
      ]),
    );
    const src = videoFileSource({ path: video, fps: 5, realtime: false });
    const frames = await collect(src);
    rmSync(video, { force: true });
    expect(src.lastError).toBeNull();
    expect(frames.length + src.dropped).toBeGreaterThanOrEqual(8);
    const meta = await sharp(frames[0]?.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 512, 512]);
  });

  it('an empty folder ends with no_images', async () => {
    const src = new ImageReplaySource({ dir: scratch, realtime: false });
    rmSync(join(scratch, 'stream.mjpeg'), { force: true });
    expect(await collect(src)).toEqual([]);
    expect(src.lastError?.reason).toBe('no_images');
  });
});
