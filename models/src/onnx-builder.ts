import { AttributeType, DataType, ModelProto } from './onnx-proto.js';

/** A typed attribute value; ONNX distinguishes int from float, JavaScript numbers do not. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

export const int = (value: number): Attr => ({ kind: 'int', value });
export const float = (value: number): Attr => ({ kind: 'float', value });
export const ints = (value: number[]): Attr => ({ kind: 'ints', value });
export const floats = (value: number[]): Attr => ({ kind: 'floats', value });
export const str = (value: string): Attr => ({ kind: 'string', value });

/** A tensor dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

interface NodeRecord {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Array<Record<string, unknown>>;
}

function encodeAttr(name: string, a: Attr): Record<string, unknown> {
  switch (a.kind) {
    case 'int':
      return { name, i: a.value, type: AttributeType.INT };
    case 'float':
      return { name, f: a.value, type: AttributeType.FLOAT };
    case 'ints':
      return { name, ints: a.value, type: AttributeType.INTS };
    case 'floats':
      return { name, floats: a.value, type: AttributeType.FLOATS };
    case 'string':
      return { name, s: Buffer.from(a.value, 'utf8'), type: AttributeType.STRING };
  }
}

function valueInfo(name: string, dims: Dim[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Accumulates nodes and float initializers in insertion order. Names are generated from counters and
 * nothing depends on time, randomness or object-key order, so the same network always serialises to
 * the same bytes (the converter's reproducibility test relies on this).
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly initializers: Array<Record<string, unknown>> = [];
  private readonly inputs: Array<Record<string, unknown>> = [];
  private readonly outputs: Array<Record<string, unknown>> = [];
  private counter = 0;

  constructor(private readonly graphName: string) {}

  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** Adds a float32 constant; `data` is copied little-endian into raw_data. */
  constant(name: string, dims: number[], data: Float32Array | number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`constant ${name}: ${values.length} != ${expected}`);
    const raw = Buffer.alloc(values.length * 4);
    for (let i = 0; i < values.length; i++) raw.writeFloatLE(values[i] ?? 0, i * 4);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  /**
   * Adds a node and returns its (first) output name. `out` names the output explicitly, otherwise a
   * name derived from the op type and a counter is used.
   */
  node(opType: string, input: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const id = this.counter++;
    const output = out ?? `${opType.toLowerCase()}_${id}`;
    const attribute = Object.keys(attrs)
      .sort()
      .map((k) => encodeAttr(k, attrs[k] as Attr));
    this.nodes.push({ input, output: [output], name: `${opType}_${id}`, opType, attribute });
    return output;
  }

  /** Serialises the graph as an ONNX model (IR version 7, default-domain opset `opset`). */
  toModel(meta: {
    docString: string;
    opset: number;
    producerVersion: string;
    props: Record<string, string>;
  }) {
    const message = ModelProto.fromObject({
      irVersion: 7,
      producerName: '@onestop/models converter',
      producerVersion: meta.producerVersion,
      domain: 'vn.onestop',
      modelVersion: 1,
      docString: meta.docString,
      opsetImport: [{ domain: '', version: meta.opset }],
      metadataProps: Object.keys(meta.props)
        .sort()
        .map((key) => ({ key, value: meta.props[key] })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return Buffer.from(ModelProto.encode(message).finish());
  }
}
