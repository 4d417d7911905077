import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { compiledValidator, forCompiling, payloadJsonSchema } from './compiled.js';
import { EXAMPLES } from './examples.js';
import { envelopeShape } from './payloads/envelope.js';
import { CHANNELS, type Channel } from './topics.js';
import { decodePayload } from './validate.js';

const channels = Object.keys(CHANNELS) as Channel[];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** Deterministic PRNG so that a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every bound, enum and length the definition names, with its neighbours: where mistakes hide. */
function candidatesFrom(schema: unknown): unknown[] {
  const out = new Set<unknown>();
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (typeof n !== 'object' || n === null) return;
    for (const [k, v] of Object.entries(n)) {
      if ((k === 'minimum' || k === 'maximum') && typeof v === 'number')
        for (const d of [-1, -0.5, 0, 0.5, 1]) out.add(v + d);
      else if ((k === 'maxLength' || k === 'minLength' || k === 'maxItems') && typeof v === 'number') {
        out.add('a'.repeat(v));
        out.add('a'.repeat(v + 1));
        // Two UTF-16 units each: zod counts units, so the compiled check must too.
        out.add('😀'.repeat(Math.ceil(v / 2) + 1));
        out.add(Array.from({ length: v + 1 }, () => 'a'));
      } else if (k === 'enum' && Array.isArray(v)) for (const e of v) out.add(e);
      else if (k === 'const') out.add(v);
      walk(v);
    }
  };
  walk(schema);
  return [...out];
}

const COMMON: unknown[] = [
  null,
  true,
  0,
  -1,
  1,
  2,
  1.5,
  2 ** 31,
  2 ** 53,
  1e308,
  '',
  'a',
  'A',
  '-a',
  'x y',
  '\u0000',
  'slow',
  'https://example.org/gop-y',
  'not a url',
  '000.00.12.H26-250101-0001',
  '00000000-0000-0000-0000-000000000000',
  '0192b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b',
  '0192B3C4-D5E6-7F80-9A1B-2C3D4E5F6A7B',
  '0192b3c4-d5e6-4f80-9a1b-2c3d4e5f6a7b',
  '0192b3c4-d5e6-9f80-9a1b-2c3d4e5f6a7b',
  [],
  ['slow'],
  ['D-1', 'x y'],
  {},
  { a: 1 },
];

/** Paths of every field, nested ones and array items included, of a fully filled payload. */
function pathsOf(x: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(x)) return [prefix, ...x.flatMap((v, i) => pathsOf(v, [...prefix, String(i)]))];
  if (typeof x === 'object' && x !== null) {
    const own = Object.entries(x).flatMap(([k, v]) => pathsOf(v, [...prefix, k]));
    return [prefix, [...prefix, 'extra'], ...own];
  }
  return [prefix];
}

function mutate(root: Record<string, unknown>, path: string[], value: unknown, remove: boolean) {
  if (path.length === 0) return;
  let node: unknown = root;
  for (const k of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string, unknown>)[k];
  }
  if (typeof node !== 'object' || node === null) return;
  const last = path[path.length - 1] as string;
  if (remove) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = clone(value);
}

describe('compiled validator', () => {
  it.each(channels)('agrees with zod over mutations of every field of %s', (channel) => {
    const schema = CHANNELS[channel].schema;
    const check = compiledValidator(schema);
    // Formats zod checks in code (`uri`) and `__proto__` keys are left to zod: there, and only
    // there, may the compiled check doubt a payload that zod accepts.
    const defers = JSON.stringify(check.source).includes('zod-decides');
    const full = clone(schema.parse(EXAMPLES[channel])) as Record<string, unknown>;
    const paths = pathsOf(full);
    const pool = [...COMMON, ...candidatesFrom(check.source)];
    const r = rng(channel.length * 7919);
    const runs = channel === 'evt/rating' ? 20_000 : 3_000;
    let accepted = 0;
    let refusedByBoth = 0;
    for (let i = 0; i < runs; i++) {
      const x = clone(full);
      for (let m = 1 + Math.floor(r() * 3); m > 0; m--) {
        const path = paths[Math.floor(r() * paths.length)] as string[];
        mutate(x, path, pool[Math.floor(r() * pool.length)], r() < 0.1);
      }
      // Through JSON, as the door sees it (`__proto__` then becomes an own key).
      let text = JSON.stringify(x);
      if (r() < 0.05) text = text.replace('"extra"', '"__proto__"');
      const forZod: unknown = JSON.parse(text);
      const forCompiled: unknown = JSON.parse(text);
      const z = schema.safeParse(forZod);
      const fast = check(forCompiled);
      if (fast) {
        expect(z.success, text).toBe(true);
        expect(forCompiled, text).toEqual(z.data);
        accepted++;
      } else if (z.success) {
        const why = defers || text.includes('"__proto__"');
        expect(why, `zod accepts what the compiled check refuses: ${text}`).toBe(true);
      } else refusedByBoth++;
    }
    // The mutations must exercise both sides, or this proves nothing.
    expect(accepted).toBeGreaterThan(runs / 50);
    expect(refusedByBoth).toBeGreaterThan(runs / 4);
  });

  it('is generated from the definition: a changed schema changes it', () => {
    const rating = EXAMPLES['evt/rating'] as Record<string, unknown>;
    const envelope = Object.fromEntries(Object.keys(envelopeShape).map((k) => [k, rating[k]]));
    const narrow = z.strictObject({ ...envelopeShape, n: z.int().min(0).max(3) });
    const wide = z.strictObject({ ...envelopeShape, n: z.int().min(0).max(5) });
    expect(compiledValidator(narrow)({ ...envelope, n: 3 })).toBe(true);
    expect(compiledValidator(narrow)({ ...envelope, n: 4 })).toBe(false);
    expect(compiledValidator(wide)({ ...envelope, n: 4 })).toBe(true);
    expect(compiledValidator(wide)).toBe(compiledValidator(wide));
  });

  it.each(channels)('for %s, comes from the same JSON Schema the integrators get', (channel) => {
    const committed = JSON.parse(
      readFileSync(new URL('../schema/onestop-v1.schema.json', import.meta.url), 'utf8'),
    ) as { $defs: Record<string, Record<string, unknown>> };
    const { 'x-qos': _q, 'x-retain': _r, 'x-from': _f, ...published } = committed.$defs[channel] ?? {};
    const generated = payloadJsonSchema(CHANNELS[channel].schema);
    expect(published).toEqual(generated);
    expect(compiledValidator(CHANNELS[channel].schema).source).toEqual(forCompiling(generated));
  });

  it('fills defaults on the fast path exactly as zod does', () => {
    const raw = JSON.stringify(EXAMPLES.config);
    const fast = decodePayload('config', raw);
    expect(fast).toEqual({ ok: true, value: CHANNELS.config.schema.parse(JSON.parse(raw)) });
  });
});

describe('prepareDecoders', () => {
  it('compiles the check of every channel each side receives before its first message', async () => {
    // A fresh copy of the modules: this file's other tests have compiled every check already.
    vi.resetModules();
    const fresh = {
      ...(await import('./compiled.js')),
      ...(await import('./topics.js')),
      ...(await import('./validate.js')),
    };
    const centre = fresh.channelsFrom('device');
    const agent = fresh.channelsFrom('server');
    expect(centre).toContain('evt/rating');
    expect(agent).toContain('ack');
    expect([...centre, ...agent].sort()).toEqual([...channels].sort());
    const compiled = (list: Channel[]) => list.filter((c) => fresh.isCompiled(fresh.CHANNELS[c].schema));
    expect(compiled([...centre, ...agent])).toEqual([]);
    fresh.prepareDecoders(agent);
    expect(compiled(agent)).toEqual(agent);
    expect(compiled(centre)).toEqual([]);
    fresh.prepareDecoders(centre);
    expect(compiled(centre)).toEqual(centre);
  });
});
