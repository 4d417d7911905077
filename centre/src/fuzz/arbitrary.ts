import fc from 'fast-check';

/** The part of JSON Schema that zod's `toJSONSchema` emits for the wire contract. */
export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** Arrays and records stay small: the fuzz is about shapes, not about filling a 16 KiB budget. */
const MAX_COLLECTION = 4;

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  if (s.pattern) {
    const matching = fc.stringMatching(new RegExp(s.pattern));
    const { minLength = 0, maxLength = Number.POSITIVE_INFINITY } = s;
    return minLength > 0 || maxLength < Number.POSITIVE_INFINITY
      ? matching.filter((v) => v.length >= minLength && v.length <= maxLength)
      : matching;
  }
  return fc.string({
    minLength: s.minLength ?? 0,
    maxLength: Math.min(s.maxLength ?? 40, 40),
    unit: 'binary',
  });
}

function numberOf(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : -1e9);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum : 1e9);
  if (s.type === 'integer') {
    const lo = Math.max(min, Number.MIN_SAFE_INTEGER);
    const hi = Math.min(max, Number.MAX_SAFE_INTEGER);
    // Bounds are where columns overflow: reach them often.
    return fc.oneof(
      { weight: 4, arbitrary: fc.maxSafeInteger().map((n) => lo + Math.abs(n % (hi - lo + 1))) },
      // Just past them too: a bound one off is the defect the fuzz is for.
      fc.constantFrom(lo, hi, lo - 1, hi + 1),
    );
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) },
    { weight: 2, arbitrary: fc.constantFrom(...fractionEdges(min, max)) },
  );
}

/** The smallest normal float4: a `real` column's edge (protocol bounds.ts refuses below it). */
const FLOAT4_MIN_NORMAL = 2 ** -126;

/**
 * A fraction's edges, where a column refuses what JavaScript parses: the field's bounds and just
 * past them, and near 0 the numbers a `real` or `double precision` column cannot hold (subnormal
 * doubles, float4 underflow) or only just can.
 */
function fractionEdges(min: number, max: number): number[] {
  const tiny = [
    Number.MIN_VALUE,
    1e-310,
    2.2250738585072014e-308,
    1e-300,
    1e-200,
    1e-46,
    1e-40,
    FLOAT4_MIN_NORMAL / 2,
    FLOAT4_MIN_NORMAL,
    1e-20,
  ];
  const near0 = [0, -0, ...tiny, ...tiny.map((t) => -t)].filter((v) => v >= min && v <= max);
  const step = (v: number) => Math.max(Math.abs(v) * Number.EPSILON, Number.MIN_VALUE);
  return [min, max, min - step(min), max + step(max), min + step(min), max - step(max), ...near0];
}

function objectOf(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) fields[k] = arbitraryOf(v);
  const known = fc.record(fields, {
    requiredKeys: Object.keys(props).filter((k) => required.has(k)),
  }) as fc.Arbitrary<Record<string, unknown>>;
  // A record (`z.record`): its keys by `propertyNames`, its values by `additionalProperties`.
  if (typeof s.additionalProperties === 'object' && Object.keys(props).length === 0) {
    const keys = s.propertyNames ? stringOf(s.propertyNames) : fc.string({ maxLength: 16 });
    return fc.dictionary(keys, arbitraryOf(s.additionalProperties), { maxKeys: MAX_COLLECTION });
  }
  return known;
}

/**
 * Values that a JSON Schema describes, as a fast-check arbitrary. Mostly valid for the schema
 * (zod's refinements are not in the JSON Schema, so some are not): the fuzz judges each case with
 * the protocol's own decoder, never by trusting the generator.
 */
export function arbitraryOf(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    if (!s.type && !s.properties) return fc.oneof(...branches.map(arbitraryOf));
    // An object with alternatives (a rating's level bounded by its scale): one branch's
    // properties override the object's own.
    const { anyOf: _a, oneOf: _o, ...base } = s;
    return fc.oneof(
      ...branches.map((b) =>
        arbitraryOf({ ...base, ...b, properties: { ...base.properties, ...b.properties } }),
      ),
    );
  }
  switch (s.type) {
    case 'string':
      return stringOf(s);
    case 'integer':
    case 'number':
      return numberOf(s);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(s.items ? arbitraryOf(s.items) : fc.jsonValue(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? MAX_COLLECTION, MAX_COLLECTION)),
      });
    case 'object':
      return objectOf(s);
    default:
      return fc.jsonValue();
  }
}
