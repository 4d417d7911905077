import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openStore } from './db.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';
import {
  analyzeGrownTables,
  CHURNED_TABLES,
  startTableUpkeep,
  type UpkeepEvent,
  vacuumChurnedTables,
} from './upkeep.js';

describe.each(STORE_BACKENDS)('table upkeep on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(() => store?.close());

  it('vacuums every churned table the schema has', async () => {
    const listed = (await store.db.execute(
      sql`select tablename from pg_tables where schemaname = 'public' order by 1`,
    )) as unknown as { rows: Array<{ tablename: string }> };
    const tables = listed.rows.map((r) => r.tablename);
    for (const t of CHURNED_TABLES) expect(tables).toContain(t);
    await vacuumChurnedTables(store.db);
  });

  // PostgreSQL's own autovacuum may analyze the table meanwhile; it is PGlite that needs this.
  it.runIf(backend === 'pglite')(
    'analyzes the tables never analyzed or grown by a tenth since, and only those',
    async () => {
      const estimate = async () =>
        (
          (await store.db.execute(
            sql`select reltuples::int as n from pg_class where oid = 'audit_log'::regclass`,
          )) as unknown as { rows: Array<{ n: number }> }
        ).rows[0]?.n;
      await analyzeGrownTables(store.db);
      expect(await analyzeGrownTables(store.db)).toEqual([]);
      const before = await estimate();
      await store.db.execute(sql`insert into audit_log (actor, action, target)
      select 'upkeep-test', 'grow', 'row ' || i from generate_series(1, 3000) as i`);
      // The planner still believes the old count until the table is analyzed.
      expect(await estimate()).toBe(before);
      expect(await analyzeGrownTables(store.db)).toContain('audit_log');
      expect(await estimate()).toBeGreaterThanOrEqual(3000);
      expect(await analyzeGrownTables(store.db)).not.toContain('audit_log');
      // An index built on rows already there counts them without taking any column statistics.
      await store.db.execute(sql`create table upkeep_probe as select i from generate_series(1, 500) as i`);
      await store.db.execute(sql`create index upkeep_probe_i on upkeep_probe (i)`);
      try {
        expect(await analyzeGrownTables(store.db)).toEqual(['upkeep_probe']);
      } finally {
        await store.db.execute(sql`drop table upkeep_probe`);
      }
    },
  );

  it.runIf(backend === 'pglite')('run on an embedded store from its opening, analyzing at once', async () => {
    const fresh = await openTestStore(backend);
    try {
      const analyzed = async () =>
        (
          (await fresh.db.execute(sql`select relname from pg_class
            where relname in ('ratings', 'visits', 'events') and reltuples >= 0 order by 1`)) as unknown as {
            rows: Array<{ relname: string }>;
          }
        ).rows.map((r) => r.relname);
      await expect.poll(analyzed, { timeout: 10_000 }).toEqual(['events', 'ratings', 'visits']);
    } finally {
      await fresh.close();
    }
  });

  it('runs rounds on its timer, reports each, and a failed round does not stop the next', async () => {
    const events: UpkeepEvent[] = [];
    let calls = 0;
    // The first round (the analyze check at start) fails as an outage would; the vacuum rounds
    // after it reach the database.
    const flaky = new Proxy(store.db, {
      get(target, key, receiver) {
        if (key !== 'execute') return Reflect.get(target, key, receiver);
        return (...args: Parameters<Database['execute']>) =>
          ++calls === 1 ? Promise.reject(new Error('connection refused')) : target.execute(...args);
      },
    });
    const upkeep = startTableUpkeep(flaky, (e) => events.push(e), 20);
    await expect.poll(() => events.filter((e) => 'ms' in e).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await upkeep.stop();
    expect(events[0]).toMatchObject({ error: new Error('connection refused') });
    const after = events.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(events).toHaveLength(after);
  });
});

describe('pooled PostgreSQL sessions', () => {
  it('plan without parallel workers, and keep the options the URL gives', async () => {
    const store = await openTestStore('postgres');
    try {
      const show = async (db: Database, setting: string) =>
        ((await db.execute(sql.raw(`show ${setting}`))) as unknown as { rows: Array<Record<string, string>> })
          .rows[0]?.[setting];
      expect(await show(store.db, 'max_parallel_workers_per_gather')).toBe('0');
      const url = new URL(store.url!);
      url.searchParams.set('options', '-c statement_timeout=4321');
      const again = await openStore({ kind: 'postgres', url: url.toString() });
      try {
        expect(await show(again.db, 'statement_timeout')).toBe('4321ms');
        expect(await show(again.db, 'max_parallel_workers_per_gather')).toBe('0');
      } finally {
        await again.close();
      }
    } finally {
      await store.close();
    }
  });
});
