import { describe, expect, it } from 'vitest';
import { detectorInput, EXPRESSION_MEAN, expressionInput, faceCrop } from './preprocess.js';
import { WasmResizer, type Window } from './resize.js';
import { resizeWindowScalar } from './resize-scalar.fixture.js';
import type { RgbImage } from './types.js';

/** Deterministic noise image (xorshift), so sharp edges everywhere exercise every rounding path. */
function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = s & 0xff;
  }
  return { data, width, height };
}

function scalar(img: RgbImage, win: Window, size: number, mean: readonly number[] | null): Float32Array {
  const out = new Float32Array(3 * size * size);
  resizeWindowScalar(img, win, size, mean, out, 0);
  return out;
}

/** Index of the first element whose bits differ, or -1: a bit-for-bit comparison that names the spot. */
function firstDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

const whole = (img: RgbImage): Window => ({
  x: 0,
  y: 0,
  width: img.width,
  height: img.height,
  padX: 0,
  padY: 0,
  side: Math.max(img.width, img.height),
});

describe('WebAssembly SIMD resize', () => {
  it('detector input is bit-identical to the scalar float32 replay (landscape, portrait, any size)', () => {
    const cases: Array<[number, number, number]> = [
      [640, 480, 416],
      [480, 640, 416],
      [640, 480, 320],
      [333, 517, 224],
      [1024, 768, 640], // output larger than the initial wasm memory: it must grow
      [50, 37, 64], // upsampling
    ];
    for (const [w, h, size] of cases) {
      const img = noise(w, h, w * 31 + h);
      const ours = detectorInput(img, size);
      expect(firstDiff(ours, scalar(img, whole(img), size, null)), `${w}x${h} @${size}`).toBe(-1);
    }
  });

  it('normalised face crops are bit-identical, with padding on either side and at the image border', () => {
    const img = noise(640, 480, 7);
    const boxes = [
      [100.7, 50.2, 80.5, 120.9], // tall: padded left/right
      [300.1, 200.8, 150.3, 90.4], // wide: padded top/bottom
      [-20.5, -10.3, 60, 70], // clipped at the top-left border
      [600.2, 440.6, 90, 90], // clipped at the bottom-right border
      [10, 10, 9, 13], // tiny: heavy upsampling
      [0, 0, 640, 480], // the whole frame
    ];
    const crops = boxes.map((b) => faceCrop(b, img.width, img.height)).filter((c) => c !== null);
    expect(crops).toHaveLength(boxes.length);
    const ours = expressionInput(img, crops, 112);
    const per = 3 * 112 * 112;
    crops.forEach((c, i) => {
      const want = scalar(img, c, 112, EXPRESSION_MEAN);
      expect(firstDiff(ours.subarray(i * per, (i + 1) * per), want), `crop ${i}`).toBe(-1);
    });
  });

  it('a resizer reused across sizes and images leaves nothing behind', () => {
    const r = new WasmResizer();
    const big = noise(900, 700, 3);
    const small = noise(60, 90, 4);
    const out = new Float32Array(3 * 416 * 416);
    r.resize(big, whole(big), 416, null, out, 0);
    r.resize(small, whole(small), 416, null, out, 0);
    expect(firstDiff(out, scalar(small, whole(small), 416, null))).toBe(-1);
  });

  it('rejects sizes the 4-lane kernels cannot cover', () => {
    const img = noise(8, 8, 1);
    expect(() => new WasmResizer().resize(img, whole(img), 6, null, new Float32Array(108), 0)).toThrow(
      /multiple of 4/,
    );
  });
});
