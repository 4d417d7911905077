import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigFileError, loadAgentConfig } from './index.js';

/**
 * Fuzz of the agent's config loader on real files: the shipped example damaged as text (bytes
 * flipped, cut, inserted) and as a document (a field removed, replaced by any JSON value, an
 * unknown field added), written as YAML or JSON. Whatever the file, the loader either returns a
 * config or throws a ConfigFileError naming what is wrong: never another exception.
 * FUZZ_SEED replays a failing run; FUZZ_CASES sets the size (the CI form is 500).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const CASES = Number(process.env.FUZZ_CASES ?? 500);
/** A long run (FUZZ_CASES=100000) gets time in proportion; the CI form keeps the 2 minutes. */
const TIMEOUT_MS = Math.max(120_000, CASES * 20);
const example = readFileSync(new URL('../examples/counter.yaml', import.meta.url), 'utf8');
const document = YAML.parse(example) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'fwcfg-fuzz-'));

/** Every path to a value in the example document. */
function paths(o: unknown, at: string[] = []): string[][] {
  if (o === null || typeof o !== 'object') return [at];
  return [at, ...Object.entries(o).flatMap(([k, v]) => paths(v, [...at, k]))];
}
const PATHS = paths(document).filter((p) => p.length > 0);

function edit(
  doc: unknown,
  path: string[],
  f: (parent: Record<string, unknown>, key: string) => void,
): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  f(parent, path[path.length - 1]!);
  return copy;
}

const structural = fc
  .tuple(fc.constantFrom(...PATHS), fc.oneof(fc.constant('delete'), fc.constant('add'), fc.jsonValue()))
  .map(([path, what]) =>
    edit(document, path, (parent, key) => {
      if (what === 'delete') delete parent[key];
      else if (what === 'add') parent[`${key}Extra`] = 1;
      else parent[key] = what;
    }),
  );

const asText = fc.oneof(
  structural.map((d) => ({ ext: 'yaml', text: YAML.stringify(d) })),
  structural.map((d) => ({ ext: 'json', text: JSON.stringify(d) })),
  fc.tuple(fc.nat(), fc.nat({ max: 7 })).map(([i, bit]) => {
    const b = Buffer.from(example);
    b[i % b.length] = (b[i % b.length] as number) ^ (1 << bit);
    return { ext: 'yaml', text: b.toString('latin1') };
  }),
  fc.nat().map((i) => ({ ext: 'yaml', text: example.slice(0, i % example.length) })),
  fc.tuple(fc.nat(), fc.string({ maxLength: 20, unit: 'binary' })).map(([i, s]) => ({
    ext: 'yaml',
    text: example.slice(0, i % example.length) + s + example.slice(i % example.length),
  })),
  fc.constantFrom(
    { ext: 'yaml', text: '' },
    { ext: 'yaml', text: 'a: &a [*a]' },
    { ext: 'yaml', text: '!!binary AAAA' },
    { ext: 'yaml', text: `${'['.repeat(10_000)}` },
    { ext: 'json', text: '{"__proto__": {"schemaVersion": 2}}' },
    { ext: 'yaml', text: `x: &a [${'*a,'.repeat(50)}]` },
  ),
);

describe(`agent config fuzz (seed ${SEED})`, () => {
  it(
    'loads a config or names what is wrong, whatever the file',
    () => {
      const outcomes = { loaded: 0, refused: 0 };
      /** Refusals by reason: the file unparsable, or the top-level key of the first issue named. */
      const byReason: Record<string, number> = {};
      fc.assert(
        fc.property(asText, ({ ext, text }) => {
          const file = join(dir, `counter.${ext}`);
          writeFileSync(file, text);
          try {
            loadAgentConfig(file);
            outcomes.loaded++;
          } catch (e) {
            if (!(e instanceof ConfigFileError)) throw e;
            // A refusal names every issue, each with where and why.
            expect(e.issues.length).toBeGreaterThan(0);
            for (const i of e.issues) expect([i.path.length, i.message.length]).not.toContain(0);
            const first = e.issues[0]!;
            const reason = first.message.startsWith('cannot parse')
              ? 'unparsable'
              : first.path.split('.')[0]!;
            byReason[reason] = (byReason[reason] ?? 0) + 1;
            outcomes.refused++;
          }
        }),
        { seed: SEED, numRuns: CASES },
      );
      console.log(`config fuzz seed ${SEED}: ${JSON.stringify({ ...outcomes, byReason })}`);
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(Object.values(byReason).reduce((a, b) => a + b, 0)).toBe(outcomes.refused);
    },
    TIMEOUT_MS,
  );
});
