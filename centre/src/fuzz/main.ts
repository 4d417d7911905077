import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openTestStore } from '@onestop/store/testing';
import { runMqttFuzz } from './mqtt-fuzz.js';

/**
 * `npm run fuzz -- --cases 100000 [--seed N] [--json FILE]`: the full MQTT fuzz against the real
 * broker and ingest on PGlite; prints the figures (and writes them as JSON). Exit code 1 when an
 * invariant broke: a refusal the door did not count as the contract says, a fuzz device cut off,
 * an honest event or telemetry not stored, an error the broker or ingest logged (a write the
 * database refused), an unhandled rejection.
 */
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    json: { type: 'string' },
    honest: { type: 'string' },
    raw: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

console.log(`MQTT fuzz: ${cases} cases, seed ${seed} (replay with --seed ${seed})`);
const store = await openTestStore('pglite');
const t0 = Date.now();
const figures = await runMqttFuzz({
  store,
  cases,
  seed,
  rawFrames: Number(values.raw ?? Math.ceil(cases / 10)),
  // The honest ratings are 11 s apart, all in the test boot's last 2 hours (mono ≥ 0): 600 fit.
  honest: Number(values.honest ?? Math.min(Math.ceil(cases / 50), 600)),
  progress: (p) => console.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s: ${p}`),
});
await store.close();
const result = { seed, ...figures, unhandledRejections: unhandled.length };
console.log(JSON.stringify(result, null, 2));
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
const i = figures.ingest;
const broken =
  figures.disagreements.length > 0 ||
  figures.fuzzDisconnects > 0 ||
  figures.unanswered > 0 ||
  figures.honest.stored !== figures.honest.sent ||
  !figures.honest.lastTelemetryStored ||
  figures.serverErrors.count > 0 ||
  i.stored + i.duplicates + i.deadLettered + Object.values(i.refused).reduce((a, b) => a + b, 0) !==
    i.events ||
  unhandled.length > 0;
if (broken) console.log(`INVARIANT BROKEN (seed ${seed})`);
process.exit(broken ? 1 : 0);
