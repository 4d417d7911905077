import { fixtureImages, loadFaceApiReference } from '@onestop/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtBackend } from './backend.js';
import { PerceptionEngine } from './engine.js';
import { decodeImage } from './image.js';
import { EXPRESSION_LABELS, type RgbImage } from './types.js';

/**
 * Parity with the reference: face-api 1.7.15 on tfjs-wasm, run in this process on the very same
 * decoded pixels. Raw detector grids and expression probabilities must agree within 1e-4.
 */
const TOL = 1e-4;

let backend: OrtBackend;
let images: Array<{ name: string; img: RgbImage }>;

beforeAll(async () => {
  const fx = await fixtureImages();
  backend = await OrtBackend.create({ intraOpNumThreads: 2 });
  images = await Promise.all(
    [fx.astronaut, ...fx.faceApiSamples].map(async (f) => ({
      name: f.split('/').pop() as string,
      img: await decodeImage(f),
    })),
  );
});

afterAll(async () => {
  await backend?.close();
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe('parity with @vladmandic/face-api on tfjs-wasm', () => {
  it('raw detector grids match within 1e-4 (416 on every image, 320 and 224 on the astronaut)', async () => {
    const ref = await loadFaceApiReference();
    const cases = [
      ...images.map((i) => ({ ...i, size: 416 })),
      { ...(images[0] as { name: string; img: RgbImage }), size: 320 },
      { ...(images[0] as { name: string; img: RgbImage }), size: 224 },
    ];
    for (const { name, img, size } of cases) {
      const engine = new PerceptionEngine(backend, { inputSize: size });
      const ours = await engine.rawGrid(img);
      const theirs = await ref.rawGrid(img, size);
      expect(theirs.dims).toEqual([1, size / 32, size / 32, 25]);
      expect(ours.gridSize).toBe(size / 32);
      const diff = maxAbsDiff(ours.data, theirs.data);
      expect(diff, `${name} @${size}`).toBeLessThan(TOL);
    }
  });

  it('faces, scores and expression probabilities match within 1e-4', async () => {
    const ref = await loadFaceApiReference();
    const engine = new PerceptionEngine(backend, { inputSize: 416 });
    let faces = 0;
    for (const { name, img } of images) {
      const ours = await engine.analyse(img, { expressions: true });
      const theirs = await ref.detectAll(img, 416);
      expect(ours.faces.length, name).toBe(theirs.length);
      theirs.forEach((t, i) => {
        const o = ours.faces[i];
        if (!o?.expressions) throw new Error(`${name}: face ${i} missing`);
        expect(Math.abs(o.score - t.score), `${name} score ${i}`).toBeLessThan(TOL);
        const [x, y, w, h] = t.box;
        const cx = Math.max(0, x);
        const cy = Math.max(0, y);
        const clipped = [cx, cy, Math.min(x + w, img.width) - cx, Math.min(y + h, img.height) - cy];
        expect(maxAbsDiff(o.box, clipped), `${name} box ${i}`).toBeLessThan(0.05);
        const probs = EXPRESSION_LABELS.map((l) => o.expressions?.[l] ?? Number.NaN);
        expect(maxAbsDiff(probs, t.expressions), `${name} expressions ${i}`).toBeLessThan(TOL);
        faces++;
      });
    }
    expect(faces).toBeGreaterThanOrEqual(16);
  });
});
