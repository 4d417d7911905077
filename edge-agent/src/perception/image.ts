import sharp from 'sharp';
import type { RgbImage } from './types.js';

export interface DecodeOptions {
  /** Downscale (never upscale) so the longer side is at most this many pixels. */
  maxSide?: number;
}

/**
 * Decodes a JPEG/PNG (buffer or path) to packed 8-bit RGB in memory with sharp, applying the EXIF
 * orientation so boxes refer to the image as a person sees it. Alpha is dropped and greyscale is
 * expanded to three channels because the models expect RGB.
 */
export async function decodeImage(input: Buffer | string, opts: DecodeOptions = {}): Promise<RgbImage> {
  let pipeline = sharp(input, { failOn: 'error' }).rotate();
  if (opts.maxSide) {
    pipeline = pipeline.resize({
      width: opts.maxSide,
      height: opts.maxSide,
      fit: 'inside',
      withoutEnlargement: true,
    });
  }
  const { data, info } = await pipeline
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decode, got ${info.channels}`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
