import { readFileSync } from 'node:fs';
import { faceApiSamples, fixtureImages } from '@onestop/models';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MjpegSplitter } from './mjpeg.js';

/** Deterministic pseudo-random chunk sizes so failures reproduce. */
function* chunkSizes(seed: number): Generator<number> {
  let s = seed;
  while (true) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    yield 1 + (s % 9000);
  }
}

function split(stream: Buffer, seed: number): { frames: Buffer[]; splitter: MjpegSplitter } {
  const splitter = new MjpegSplitter();
  const frames: Buffer[] = [];
  const sizes = chunkSizes(seed);
  for (let i = 0; i < stream.length; ) {
    const n = sizes.next().value as number;
    frames.push(...splitter.push(stream.subarray(i, i + n)));
    i += n;
  }
  return { frames, splitter };
}

describe('MjpegSplitter', () => {
  const jpegs = faceApiSamples().map((f) => readFileSync(f));

  it('splits concatenated real JPEGs back into the identical files, whatever the chunking', () => {
    const stream = Buffer.concat(jpegs);
    for (const seed of [1, 7, 42]) {
      const { frames } = split(stream, seed);
      expect(frames).toHaveLength(jpegs.length);
      frames.forEach((f, i) => {
        expect(f.equals(jpegs[i] as Buffer)).toBe(true);
      });
    }
  });

  it('does not cut at an EOI inside an embedded thumbnail, and skips garbage between frames', async () => {
    const fx = await fixtureImages();
    const thumb = await sharp(fx.astronaut).resize(64, 64).jpeg().toBuffer();
    const main = jpegs[0] as Buffer;
    // An APP1 segment carrying a whole JPEG (as EXIF thumbnails do), right after the main SOI.
    const len = Buffer.alloc(2);
    len.writeUInt16BE(thumb.length + 2);
    const withThumb = Buffer.concat([
      main.subarray(0, 2),
      Buffer.from([0xff, 0xe1]),
      len,
      thumb,
      main.subarray(2),
    ]);
    const garbage = Buffer.from([0x00, 0xff, 0x12, 0xff, 0xd9, 0x55]);
    const stream = Buffer.concat([garbage, withThumb, garbage, jpegs[1] as Buffer]);
    const { frames } = split(stream, 3);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.equals(withThumb)).toBe(true);
    expect(frames[1]?.equals(jpegs[1] as Buffer)).toBe(true);
    const meta = await sharp(frames[0]).metadata();
    expect(meta.width).toBe(1920);
  });

  it('drops a truncated frame and recovers on the next one', () => {
    const a = jpegs[0] as Buffer;
    const stream = Buffer.concat([a.subarray(0, 5000), jpegs[1] as Buffer]);
    const { frames, splitter } = split(stream, 5);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.equals(jpegs[1] as Buffer)).toBe(true);
    expect(splitter.dropped).toBe(1);
  });
});
