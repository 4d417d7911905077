import { describe, expect, it } from 'vitest';
import type { DetectorBackend, Tensor } from './backend.js';
import { PerceptionEngine } from './engine.js';
import { detectorInput } from './preprocess.js';
import type { RgbImage } from './types.js';

/**
 * A backend that reads its input only on a later turn of the event loop, as onnxruntime-node does
 * (its run() is deferred with setImmediate), and answers with a checksum of what it read.
 */
class ChecksumBackend implements DetectorBackend {
  readonly name = 'checksum';
  async detect(input: Tensor): Promise<Tensor> {
    await new Promise((r) => setImmediate(r));
    return { data: Float32Array.of(checksum(input.data)), dims: [1, 1, 1, 1] };
  }
  async classifyExpressions(): Promise<Tensor> {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

function checksum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * ((i % 7) + 1);
  return s;
}

const gradient = (width: number, height: number, k: number): RgbImage => ({
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * k) & 0xff),
  width,
  height,
});

describe('PerceptionEngine detector input', () => {
  it('concurrent frames each reach the backend intact (the zero-copy input is never shared)', async () => {
    const engine = new PerceptionEngine(new ChecksumBackend(), { inputSize: 224 });
    const frames = [gradient(320, 240, 3), gradient(240, 320, 5), gradient(300, 300, 11)];
    const want = frames.map((f) => Math.fround(checksum(detectorInput(f, 224))));
    const got = await Promise.all(frames.map((f) => engine.rawGrid(f)));
    expect(got.map((g) => g.data[0])).toEqual(want);
    // And again one after the other, through the engine's own buffer each time.
    for (const [i, f] of frames.entries()) expect((await engine.rawGrid(f)).data[0]).toBe(want[i]);
  });
});
