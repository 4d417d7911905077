/**
 * `npm run bench:dashboard -- [--small | --tenth] [--json FILE] [--runs N] [--seed N] [--only pglite|postgres]`
 *
 * Times every page and API route of BENCH_ROUTES over HTTP (the real server, `startDashboard`)
 * on a seeded city (`seedCity`), on embedded PGlite and on PostgreSQL side by side: warm-up, then
 * N runs per route, p50/p95/max in ms. Seeded databases are kept and reused (a PGlite folder under
 * .cache/, the PostgreSQL database `onestop_bench_full` or `onestop_bench_small`), keyed by seed and
 * scale: one database per scale so that CI's small run never wipes a full seed that took minutes
 * (and seeded again when another version's migrations made it). PostgreSQL runs
 * first, and a missing PGlite folder is copied from its database of the same key when there is one
 * (pglite-from-postgres.ts: PGlite's own seed takes hours at city scale). Figures are printed
 * and written, never asserted: a route answering other than 200 is what fails the run.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { vietnamDate } from '@onestop/protocol';
import {
  addStaffMember,
  CHURNED_TABLES,
  CITY_SCALE,
  ForeignMigrationHistory,
  MigrationFailed,
  openStaffSession,
  openStore,
  SMALL_SCALE,
  type Store,
  seedCity,
} from '@onestop/store';
import pg from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startDashboard } from '../server.js';
import { copyPostgresIntoPglite, SchemaMismatch } from './pglite-from-postgres.js';
import { BENCH_ROUTES, type BenchTarget } from './routes.js';
import { benchPeriods, type Figures, figuresOf, printTable } from './stats.js';

const { values: args } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    tenth: { type: 'boolean', default: false },
    json: { type: 'string' },
    runs: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    postgres: {
      type: 'string',
      default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const runs = Number(args.runs);
const warmup = Number(args.warmup);
/**
 * A tenth of the city: 13 units as dense as the city's, so a ward's pages cost what they cost at
 * full scale, seeded in minutes where the full city takes about an hour.
 */
const TENTH_SCALE = { units: 13, counters: 100, ratings: 300_000, days: 365 } as const;
const scaleName = args.small ? 'small' : args.tenth ? 'tenth' : 'full';
const scale = { small: SMALL_SCALE, tenth: TENTH_SCALE, full: CITY_SCALE }[scaleName];
const seedNumber = Number(args.seed);
/** Also the database comment and marker file: a cache seeded otherwise is seeded again. */
const key = `seed${seedNumber}-u${scale.units}-c${scale.counters}-r${scale.ratings}-d${scale.days}`;
/** One PostgreSQL database per scale (see the header). */
const database = `onestop_bench_${scaleName}`;
const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * Per route about this long of timed runs, at least MIN_RUNS: a route taking seconds at full
 * scale must not make the run take hours (its p95 is then the slowest of few runs).
 */
const ROUTE_BUDGET_MS = 10_000;
const MIN_RUNS = 3;

const logger = pino({ level: 'warn' });
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Opens the seeded store of a back end, seeding it first when the cache is missing or stale. */
async function seededStore(kind: 'pglite' | 'postgres'): Promise<{ store: Store; end: string }> {
  const end = vietnamDate(Date.now());
  if (kind === 'pglite') {
    const dir = join(repo, '.cache/bench-dashboard', key);
    const marker = join(dir, 'seeded');
    if (existsSync(marker)) {
      const store = await openUnlessForeign({ kind: 'pglite', dataDir: join(dir, 'db') });
      if (store) return { store, end: readFileSync(marker, 'utf8').trim() };
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const seeded = await postgresSeededEnd().catch((err: unknown) => {
      log(`pglite: no PostgreSQL to copy from (${(err as Error).message}): seeding`);
      return null;
    });
    if (seeded) {
      // The same rows as PostgreSQL's seed of this key, in minutes rather than PGlite's hours.
      log(`pglite: copying ${database} (${key} end=${seeded})`);
      const copied = await copyPostgresIntoPglite(databaseUrl(), join(dir, 'db'), { log }).then(
        () => true,
        (err: unknown) => {
          if (!(err instanceof SchemaMismatch)) throw err;
          log(`pglite: ${err.message}; seeding instead`);
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          return false;
        },
      );
      if (copied) {
        writeFileSync(marker, `${seeded}\n`);
        return { store: await openStore({ kind: 'pglite', dataDir: join(dir, 'db') }), end: seeded };
      }
    }
    const store = await openStore({ kind: 'pglite', dataDir: join(dir, 'db') });
    await seedInto(store, end, 'pglite');
    writeFileSync(marker, `${end}\n`);
    return { store, end };
  }
  const seeded = await postgresSeededEnd();
  const kept = seeded ? await openUnlessForeign({ kind: 'postgres', url: databaseUrl() }) : null;
  if (seeded && kept) return { store: kept, end: seeded };
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  const store = await openStore({ kind: 'postgres', url: databaseUrl() });
  await seedInto(store, end, 'postgres');
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    // The seed is one transaction whose roll-up triggers update each day row once per hour row:
    // it leaves the tables they keep ~30 times their live size in dead rows, which no autovacuum
    // could touch while it ran. Compacted here, as an operator does after a bulk load, so the
    // bench times the routes and not a bloat a running centre never builds up at once.
    for (const table of CHURNED_TABLES) await c.query(`vacuum full analyze ${table}`);
    await c.query(`comment on database ${database} is '${key} end=${end}'`);
  } finally {
    await c.end();
  }
  return { store, end };
}

/**
 * A kept seed, or null when it cannot be brought up to date: another version's migrations made it
 * (a build that never landed, on a machine that ran it: `ForeignMigrationHistory`) or a migration
 * failed on it. It is a cache, so it is seeded again; a fault of the migrations themselves then
 * fails the fresh seed too, loudly.
 */
async function openUnlessForeign(opts: Parameters<typeof openStore>[0]): Promise<Store | null> {
  return openStore(opts).catch((err: unknown) => {
    // Anything else (the server down) is no reason to throw away an hour's seed.
    if (!(err instanceof ForeignMigrationHistory || err instanceof MigrationFailed)) throw err;
    const why = err instanceof ForeignMigrationHistory ? "not this version's" : 'cannot be migrated';
    log(`${opts.kind}: the kept seed ${why} (${(err as Error).message}): seeding again`);
    return null;
  });
}

/** The end date of the PostgreSQL database seeded with this key (its comment), or null. */
async function postgresSeededEnd(): Promise<string | null> {
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  try {
    const r = await admin.query<{ d: string | null }>(
      "select shobj_description(oid, 'pg_database') as d from pg_database where datname = $1",
      [database],
    );
    const comment = r.rows[0]?.d ?? null;
    return comment?.startsWith(`${key} end=`) ? comment.slice(`${key} end=`.length) : null;
  } finally {
    await admin.end();
  }
}

function databaseUrl(): string {
  const url = new URL(args.postgres);
  url.pathname = `/${database}`;
  return url.toString();
}

async function seedInto(store: Store, end: string, kind: string): Promise<void> {
  const started = Date.now();
  log(`${kind}: seeding ${key} ending ${end}`);
  const totals = await seedCity(store.db, { seed: seedNumber, ...scale, end }, (step, detail) =>
    log(`  ${kind} ${step}: ${detail}`),
  );
  log(`${kind}: seeded ${totals.ratings} ratings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The benchmark's accounts (made once per database) and a bearer token for each. */
async function signIn(store: Store, t: BenchTarget): Promise<Record<'city' | 'ward' | 'officer', string>> {
  const accounts = [
    { username: 'bench-city', role: 'city' },
    { username: 'bench-ward', role: 'ward', unitId: t.unitId },
    { username: 'bench-officer', role: 'officer', officerId: t.officerId },
  ] as const;
  const tokens: Partial<Record<'city' | 'ward' | 'officer', string>> = {};
  for (const a of accounts) {
    await addStaffMember(store.db, { ...a, actor: 'bench' }).catch((err: unknown) => {
      if (
        !/exists|duplicate/i.test(
          String((err as Error)?.message) + String((err as { cause?: Error })?.cause?.message),
        )
      )
        throw err;
    });
    tokens[a.role] = (await openStaffSession(store.db, a.username, 'api')).token;
  }
  return tokens as Record<'city' | 'ward' | 'officer', string>;
}

/** A unit of the seed (the first), its first officer and a dossier of theirs to search for. */
async function target(store: Store): Promise<BenchTarget> {
  const r = (await store.db.execute(
    "select unit_id, officer_id, dossier_ids[1] as dossier_id from ratings where unit_id = 'u001' and officer_id is not null and cardinality(dossier_ids) > 0 order by at desc limit 1",
  )) as unknown as { rows: Array<{ unit_id: string; officer_id: string; dossier_id: string }> };
  const row = r.rows[0];
  if (!row) throw new Error('bench: the seeded database has no rating of u001 with a dossier');
  return { unitId: row.unit_id, officerId: row.officer_id, dossierId: row.dossier_id };
}

async function benchBackend(kind: 'pglite' | 'postgres'): Promise<Record<string, Figures>> {
  const { store, end } = await seededStore(kind);
  // A dossier rebuild a migration asked for runs in the background: measured, reads would pay for it.
  const rebuilt = await store.dossierRebuild;
  if (rebuilt > 0) log(`${kind}: dossier outcomes rebuilt for ${rebuilt} units before measuring`);
  const t = await target(store);
  const tokens = await signIn(store, t);
  const dashboard = await startDashboard({
    db: store.db,
    notifications: store.notifications,
    registry: new Registry(),
    logger,
    port: 0,
    host: '127.0.0.1',
  });
  const out: Record<string, Figures> = {};
  try {
    for (const route of BENCH_ROUTES) {
      for (const period of route.periods ? benchPeriods(end) : [{ name: '', query: '' }]) {
        const base = route.path(t);
        const path = period.query ? `${base}${base.includes('?') ? '&' : '?'}${period.query}` : base;
        const name = period.name ? `${route.name} [${period.name}]` : route.name;
        const once = async () => {
          const started = performance.now();
          const res = await fetch(dashboard.url + path, {
            headers: { authorization: `Bearer ${tokens[route.as]}` },
          });
          await res.arrayBuffer();
          const ms = performance.now() - started;
          if (res.status !== 200) throw new Error(`bench: ${kind} ${name}: ${path} answered ${res.status}`);
          return ms;
        };
        let first = 0;
        for (let i = 0; i < warmup; i++) first = await once();
        const n = Math.max(MIN_RUNS, Math.min(runs, Math.floor(ROUTE_BUDGET_MS / Math.max(first, 1))));
        const times: number[] = [];
        for (let i = 0; i < n; i++) times.push(await once());
        out[name] = figuresOf(times);
        log(
          `  ${kind} ${name}: p50 ${out[name].p50} p95 ${out[name].p95} max ${out[name].max} ms (${n} runs)`,
        );
      }
    }
  } finally {
    await dashboard.close();
    await store.close();
  }
  return out;
}

const results: { pglite?: Record<string, Figures>; postgres?: Record<string, Figures> } = {
  pglite: undefined,
  postgres: undefined,
};
// PostgreSQL first: seeded (about an hour at city scale), it is what PGlite's city is copied from.
for (const kind of ['postgres', 'pglite'] as const) {
  if (args.only && args.only !== kind) continue;
  results[kind] = await benchBackend(kind);
}
const misses = printTable(results, log);
if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
log(
  misses.length === 0
    ? 'every route p95 ≤ 100 ms'
    : `p95 above 100 ms: ${misses.length} route(s) (listed above)`,
);
