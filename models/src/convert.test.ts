import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertAll, faceApiModelDir, ONNX_DIR } from './convert.js';
import { ModelProto } from './onnx-proto.js';
import { loadTfjsWeights } from './tfjs-weights.js';

interface DecodedModel {
  opsetImport: Array<{ version: number | { low: number } }>;
  graph: {
    input: Array<{ name: string }>;
    output: Array<{ name: string }>;
    node: Array<{ opType: string }>;
    initializer: Array<{ name: string }>;
  };
  metadataProps: Array<{ key: string; value: string }>;
}

describe('face-api -> ONNX converter', () => {
  const models = convertAll();

  it('regenerating from the pinned package reproduces the committed files byte for byte', () => {
    for (const m of models) {
      const committed = readFileSync(join(ONNX_DIR, `${m.name}.onnx`));
      expect(m.onnx.equals(committed), `${m.name}.onnx differs; run npm run -w @onestop/models convert`).toBe(
        true,
      );
      expect(readFileSync(join(ONNX_DIR, `${m.name}.md`), 'utf8')).toBe(m.card);
      expect(m.card).toContain(m.sha256);
    }
    // And a second conversion in the same process is identical too (no hidden state, no clocks).
    const again = convertAll();
    again.forEach((m, i) => {
      expect(m.onnx.equals(models[i]?.onnx as Buffer)).toBe(true);
    });
  });

  it('writes well-formed ONNX with the documented inputs and outputs', () => {
    const byName = Object.fromEntries(
      models.map((m) => [m.name, ModelProto.toObject(ModelProto.decode(m.onnx)) as DecodedModel]),
    );
    const det = byName.tiny_face_detector as DecodedModel;
    expect(det.graph.input.map((i) => i.name)).toEqual(['input']);
    expect(det.graph.output.map((o) => o.name)).toEqual(['grid']);
    expect(det.graph.node.filter((n) => n.opType === 'MaxPool')).toHaveLength(6);
    // Every tfjs weight becomes exactly one initializer.
    expect(det.graph.initializer).toHaveLength(19);
    const exp = byName.face_expression as DecodedModel;
    expect(exp.graph.output.map((o) => o.name)).toEqual(['logits', 'probabilities']);
    expect(exp.graph.initializer).toHaveLength(49);
    expect(exp.metadataProps.find((p) => p.key === 'source')?.value).toMatch(
      /^@vladmandic\/face-api@1\.7\.15 /,
    );
    expect(Number(exp.opsetImport[0]?.version)).toBe(13);
  });

  it('dequantises uint8 weights as min + scale * q and keeps float32 weights as stored', () => {
    const dir = faceApiModelDir();
    const manifest = JSON.parse(
      readFileSync(join(dir, 'tiny_face_detector_model-weights_manifest.json'), 'utf8'),
    );
    const spec = manifest[0].weights[0];
    const bin = readFileSync(join(dir, 'tiny_face_detector_model.bin'));
    const w = loadTfjsWeights(dir, 'tiny_face_detector_model').get('conv0/filters');
    expect(w?.shape).toEqual([3, 3, 3, 16]);
    for (const i of [0, 1, 17, 431]) {
      const expected = Math.fround((bin[i] as number) * spec.quantization.scale + spec.quantization.min);
      expect(w?.data[i]).toBe(expected);
    }
    // face_expression stores its biases unquantised (4 bytes each); offsets must still line up.
    const e = loadTfjsWeights(dir, 'face_expression_model');
    expect(e.get('fc/bias')?.data).toHaveLength(7);
    expect(e.size).toBe(49);
  });
});
