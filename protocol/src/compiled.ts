import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';

/**
 * The JSON Schema of one payload, generated from its zod definition: what integrators get
 * (schema/onestop-v1.schema.json) and what the compiled validator below is built from. Anything
 * zod cannot express throws here, so that nothing is silently left unchecked.
 */
export function payloadJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
  return rest;
}

/** Format keywords that no zod pattern backs: the compiled check doubts them, zod decides. */
const ZOD_DECIDES = 'zod-decides';
/** JSON.parse makes `__proto__` an own key; zod drops it from records: leave such input to zod. */
const NOT_PROTO = { not: { const: '__proto__' } };

/**
 * The generated JSON Schema, made safe to compile for an accept-only check. zod emits its own
 * regular expression beside each string format (`uuid` …): that pattern is the check, and the
 * format name is dropped. A format without a pattern (`uri`: zod parses it with `new URL`)
 * becomes one the compiled check never passes, so zod stays the judge of it.
 */
export function forCompiling(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forCompiling);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'format' ? v : forCompiling(v);
  if (typeof out.format === 'string') {
    if (typeof out.pattern === 'string') delete out.format;
    else out.format = ZOD_DECIDES;
  }
  if (out.type === 'object' && out.additionalProperties !== false)
    out.propertyNames = out.propertyNames ? { allOf: [out.propertyNames, NOT_PROTO] } : NOT_PROTO;
  return out;
}

const ajv = new Ajv2020({
  strict: true,
  allErrors: false,
  messages: false,
  // Defaults as zod fills them (`io: 'input'` marks them), so an accepted payload is complete.
  useDefaults: true,
  // zod tests its patterns without the `u` flag (and, like Ajv, counts code points).
  unicodeRegExp: false,
  formats: { [ZOD_DECIDES]: { validate: () => false } },
});

export interface CompiledValidator {
  /** True only when the payload is certainly valid (defaults filled in place); false: ask zod. */
  (data: unknown): boolean;
  /** The JSON Schema it was compiled from. */
  readonly source: Record<string, unknown>;
}

const compiled = new WeakMap<z.ZodType, CompiledValidator>();

/** Whether `schema`'s check was compiled already (so that its next use costs no compile). */
export function isCompiled(schema: z.ZodType): boolean {
  return compiled.has(schema);
}

/**
 * A compiled (Ajv) form of a zod schema, built once per schema object on first use. zod's generic
 * walk of every rating was ~5 % of the all-in-one's CPU at full load; this is straight-line code
 * generated from the same definition. It only ever ACCEPTS: whatever it refuses goes to zod, which
 * stays the authority and names the reason of every refusal.
 */
export function compiledValidator(schema: z.ZodType): CompiledValidator {
  let v = compiled.get(schema);
  if (!v) {
    const source = forCompiling(payloadJsonSchema(schema)) as Record<string, unknown>;
    const fn: ValidateFunction = ajv.compile(source);
    v = Object.assign((data: unknown) => fn(data), { source });
    compiled.set(schema, v);
  }
  return v;
}
