import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId, type RatingEvent } from '@onestop/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openStore, type Store } from './db.js';
import { rebuildDossierOutcomes, refreshDossierOutcomes, WHOLE_UNIT_BACKLOG } from './dossier-outcomes.js';
import { type DossierRebuildEvent, startDossierRebuild } from './dossier-rebuild.js';
import { dossierSatisfactionOf } from './dossiers.js';
import { ingestBatch } from './ingest.js';
import { lockUnits } from './judge/judge.js';
import { comments, devices, ratings, visits } from './schema.js';
import { knownDevice, openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const T = Date.UTC(2025, 8, 1, 2);
const H = 3_600_000;
const UNITS = ['u-a', 'u-b', 'u-c'];
const period = { from: new Date(T - 24 * H), to: new Date(T + 24 * H) };

const rowsOf = async (db: Database, q: SQL) => ((await db.execute(q)) as unknown as { rows: unknown[] }).rows;
const outcomesOf = (db: Database) =>
  rowsOf(
    db,
    sql`select unit_id, officer_id, dossier_id, first_at, day, rated_unsatisfied, complained
      from dossier_outcomes order by 1, 2, 3`,
  );
/** `dossier_days` and the same figures counted from `dossier_outcomes`: equal when in step. */
async function daysAndSummed(db: Database) {
  return {
    days: await rowsOf(
      db,
      sql`select unit_id, officer_id, day::text, dossiers, rated_unsatisfied, complained, failed
        from dossier_days order by 1, 2, 3`,
    ),
    summed: await rowsOf(
      db,
      sql`select unit_id, officer_id, day::text, count(*)::int as dossiers,
        (count(*) filter (where rated_unsatisfied))::int as rated_unsatisfied,
        (count(*) filter (where complained))::int as complained,
        (count(*) filter (where rated_unsatisfied or complained))::int as failed
      from dossier_outcomes group by 1, 2, 3 order by 1, 2, 3`,
    ),
  };
}
const waiting = (db: Database) =>
  rowsOf(db, sql`select unit_id from dossier_outcome_dirty where dossier_id = '*' order by 1`);

/**
 * Each unit's dossiers, rated by two officers (one of them unsatisfied once), visited, one
 * complained about; derived change by change (the ordinary path), which dossiers.test.ts checks
 * against an independent count: the outcomes a rebuild from scratch must give back.
 */
async function seed(db: Database): Promise<unknown[]> {
  let n = 0;
  for (const unitId of UNITS) {
    await db.insert(ratings).values(
      [0, 1, 2, 3].map((i) => ({
        eventId: `0193a0c2-5f00-7000-8000-${unitId.slice(-1)}${String(++n).padStart(11, '0')}`,
        unitId,
        counterId: 'q1',
        deviceId: 'd1',
        officerId: i % 2 === 0 ? 'cb-a' : 'cb-b',
        scale: 'keypad4',
        level: i === 3 ? 1 : 3,
        official: i === 3 ? 'unsatisfied' : 'satisfied',
        score: i === 3 ? 0 : 50,
        source: 'keypad',
        dossierIds: [`D-${i}`, `D-${i + 1}`],
        deviceTs: new Date(T),
        at: new Date(T + i * H),
        attribution: 'verified',
      })),
    );
    await db.insert(visits).values({
      id: `0193a0c2-5f00-7000-9000-${unitId.slice(-1)}${String(++n).padStart(11, '0')}`,
      unitId,
      counterId: 'q1',
      deviceId: 'd1',
      startedAt: new Date(T - 2 * H),
      dossierIds: ['D-1', 'D-9'],
    });
    await db.insert(comments).values({ unitId, dossierId: 'D-0', kind: 'complaint', body: 'chậm' });
  }
  await refreshDossierOutcomes(db);
  const kept = await outcomesOf(db);
  expect(kept.length).toBeGreaterThan(UNITS.length * 6);
  return kept;
}

/**
 * What a full rebuild must repair: a unit's outcomes lost, one changed, one invented. Then the
 * mark migration 0021 writes: every dossier of every unit.
 */
async function spoilAndMarkAll(db: Database): Promise<void> {
  await db.execute(sql`delete from dossier_outcomes where unit_id = 'u-a'`);
  await db.execute(sql`update dossier_outcomes set complained = not complained
    where unit_id = 'u-b' and dossier_id = 'D-2' and officer_id = ''`);
  await db.execute(sql`insert into dossier_outcomes values ('u-c', '', 'X-0', ${new Date(T).toISOString()}::timestamptz,
    '2025-09-01', true, false)`);
  await db.execute(sql`insert into dossier_outcome_dirty values ('*', '*')`);
}

describe.each(STORE_BACKENDS)('the full dossier rebuild on %s', (backend) => {
  let store: TestStore;
  let dataDir: string | null = null;
  /** A second process on the same database: the same PostgreSQL, or the PGlite folder reopened. */
  const open = (): Promise<Store> =>
    backend === 'postgres'
      ? openStore({ kind: 'postgres', url: store.url ?? '' })
      : openStore({ kind: 'pglite', dataDir: dataDir ?? '' });
  beforeAll(async () => {
    store = await openTestStore(backend);
    if (backend === 'pglite') dataDir = mkdtempSync(join(tmpdir(), 'dossier-rebuild-'));
  });
  afterAll(async () => {
    await store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives back the outcomes derived change by change, one unit per batch', async () => {
    const db = store.db;
    const kept = await seed(db);
    const read = await dossierSatisfactionOf(db, { unitId: 'u-b', by: 'unit' }, period);
    await spoilAndMarkAll(db);
    // A read of a unit waiting for its rebuild derives that unit first, and only that unit.
    expect(await dossierSatisfactionOf(db, { unitId: 'u-b', by: 'unit' }, period)).toEqual(read);
    expect(await waiting(db)).toEqual([{ unit_id: 'u-a' }, { unit_id: 'u-c' }]);
    const done: string[] = [];
    expect(await rebuildDossierOutcomes(db, { onUnit: (e) => done.push(e.unitId) })).toBe(2);
    expect(done).toEqual(['u-a', 'u-c']);
    expect(await waiting(db)).toEqual([]);
    expect(await outcomesOf(db)).toEqual(kept);
    const { days, summed } = await daysAndSummed(db);
    expect(days).toEqual(summed);
  });

  it('leaves a unit waiting for its rebuild to it when an ingest batch touches the unit', async () => {
    const db = store.db;
    const kept = await outcomesOf(db);
    await spoilAndMarkAll(db);
    await refreshDossierOutcomes(db, { wholeUnits: 'leave' });
    await db.transaction(async (tx) => {
      await lockUnits(tx, ['u-a']);
      await tx.execute(sql`update ratings set dossier_ids = dossier_ids where unit_id = 'u-a'`);
      await refreshDossierOutcomes(tx, { units: ['u-a'] });
    });
    expect(await waiting(db)).toEqual(UNITS.map((unit_id) => ({ unit_id })));
    expect(await rebuildDossierOutcomes(db)).toBe(3);
    expect(await outcomesOf(db)).toEqual(kept);
    expect(await rowsOf(db, sql`select * from dossier_outcome_dirty`)).toEqual([]);
  });

  it('derives a unit with a bulk load listed (over WHOLE_UNIT_BACKLOG pairs) whole, in the background', async () => {
    const db = store.db;
    const kept = await outcomesOf(db);
    // As a seed or an import leaves it: every row's pair listed, here plus pairs of no stored row.
    await db.execute(sql`insert into dossier_outcome_dirty (unit_id, dossier_id)
      select 'u-b', 'BULK-' || n from generate_series(1, ${WHOLE_UNIT_BACKLOG + 1}) as n`);
    await db.execute(sql`insert into dossier_outcome_dirty values ('u-c', 'D-1') on conflict do nothing`);
    await refreshDossierOutcomes(db, { wholeUnits: 'leave' });
    // The ordinary pair was derived at once; the bulk unit waits for its own transaction.
    expect(await waiting(db)).toEqual([{ unit_id: 'u-b' }]);
    expect(await rowsOf(db, sql`select distinct unit_id from dossier_outcome_dirty`)).toEqual([
      { unit_id: 'u-b' },
    ]);
    expect(await rebuildDossierOutcomes(db)).toBe(1);
    expect(await rowsOf(db, sql`select * from dossier_outcome_dirty`)).toEqual([]);
    expect(await outcomesOf(db)).toEqual(kept);
  });

  it('reports an interrupted attempt, tries the units left again and finishes', async () => {
    const db = store.db;
    const kept = await outcomesOf(db);
    await spoilAndMarkAll(db);
    await refreshDossierOutcomes(db, { wholeUnits: 'leave' });
    // The second unit's transaction fails once, as a dropped connection would.
    let transactions = 0;
    const flaky = new Proxy(db, {
      get(target, key, receiver) {
        if (key !== 'transaction') return Reflect.get(target, key, receiver);
        return (...args: Parameters<Database['transaction']>) =>
          ++transactions === 2
            ? Promise.reject(
                new Error('Failed query: rollback', { cause: new Error('Connection terminated') }),
              )
            : target.transaction(...args);
      },
    });
    const events: DossierRebuildEvent[] = [];
    const run = startDossierRebuild(flaky, (e) => events.push(e));
    expect(await run.done).toBe(3);
    const errors = events.filter((e) => 'error' in e);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ retryInMs: 1_000 });
    expect(String((errors[0] as { error: Error }).error.message)).toContain('Connection terminated');
    // Then the tables it churned are vacuumed: reads stop scanning the emptied list's dead rows.
    expect(events.at(-1)).toMatchObject({ vacuumed: true });
    expect(await waiting(db)).toEqual([]);
    expect(await outcomesOf(db)).toEqual(kept);
  });

  it('resumes a rebuild stopped after one unit when the database is opened again', async () => {
    if (backend === 'pglite') {
      // The suite's in-memory store cannot be reopened: the same steps on a folder.
      const first = await open();
      await seed(first.db);
      await first.close();
    }
    let s = await open();
    await s.dossierRebuild;
    const kept = await outcomesOf(s.db);
    await spoilAndMarkAll(s.db);
    let done = 0;
    await refreshDossierOutcomes(s.db, { wholeUnits: 'leave' });
    expect(await rebuildDossierOutcomes(s.db, { onUnit: () => done++, stopped: () => done >= 1 })).toBe(1);
    expect(await waiting(s.db)).toEqual([{ unit_id: 'u-b' }, { unit_id: 'u-c' }]);
    await s.close();
    s = await open();
    try {
      expect(await s.dossierRebuild).toBe(2);
      expect(await outcomesOf(s.db)).toEqual(kept);
      const { days, summed } = await daysAndSummed(s.db);
      expect(days).toEqual(summed);
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('the full dossier rebuild shared by processes', () => {
  let store: TestStore;
  let kept: unknown[];
  beforeAll(async () => {
    store = await openTestStore('postgres');
    kept = await seed(store.db);
  });
  afterAll(async () => {
    await store?.close();
  });
  const open = () => openStore({ kind: 'postgres', url: store.url ?? '' });

  it('two processes opening at once derive each unit once, and right', async () => {
    await spoilAndMarkAll(store.db);
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const [na, nb] = await Promise.all([a.dossierRebuild, b.dossierRebuild]);
      expect(na + nb).toBe(UNITS.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await outcomesOf(store.db)).toEqual(kept);
    const { days, summed } = await daysAndSummed(store.db);
    expect(days).toEqual(summed);
  });

  it('two refreshers and a reader at once: each unit derived once, the read right', async () => {
    const read = await dossierSatisfactionOf(store.db, { unitId: null, by: 'officer' }, period);
    await spoilAndMarkAll(store.db);
    const other = await open();
    await other.dossierRebuild;
    try {
      const [na, nb, seen] = await Promise.all([
        rebuildDossierOutcomes(store.db),
        rebuildDossierOutcomes(other.db),
        dossierSatisfactionOf(other.db, { unitId: null, by: 'officer' }, period),
      ]);
      expect(na + nb).toBeLessThanOrEqual(UNITS.length);
      expect(seen).toEqual(read);
    } finally {
      await other.close();
    }
    expect(await outcomesOf(store.db)).toEqual(kept);
  });

  it('ingests a unit while another is being rebuilt; a read of that one waits for it', async () => {
    const db = store.db;
    await db
      .insert(devices)
      .values({
        id: 'd-b',
        unitId: 'u-b',
        counterId: 'q1',
        username: 'dev-d-b',
        passwordHash: 'x',
        createdAt: new Date(Date.now() - 31 * 86_400_000),
      })
      .onConflictDoNothing();
    const bootId = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';
    const bootedAtMs = Date.now() - H;
    await knownDevice(db, 'd-b', { provisionedAt: Date.now() - 31 * 86_400_000, bootId, bootedAtMs });
    const read = await dossierSatisfactionOf(db, { unitId: 'u-a', by: 'unit' }, period);
    const other = await open();
    await other.dossierRebuild;
    await spoilAndMarkAll(db);
    await refreshDossierOutcomes(db, { wholeUnits: 'leave' });
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const held = new Promise<void>((r) => {
      locked = r;
    });
    // u-a's rebuild made slow: a transaction holds its listed row, so the batch, having taken
    // u-a's lock first, waits there (as it would while deriving a large unit).
    const blocker = other.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from dossier_outcome_dirty where unit_id = 'u-a' for update`);
      locked();
      await gate;
    });
    await held;
    const rebuilt: string[] = [];
    const rebuilding = rebuildDossierOutcomes(db, { onUnit: (e) => rebuilt.push(e.unitId) });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(rebuilt).toEqual([]);
      const ts = Date.now() - 1000;
      const payload: RatingEvent = {
        v: 1,
        eventId: newEventId(),
        deviceId: 'd-b',
        bootId,
        seq: 1,
        ts,
        mono: ts - bootedAtMs,
        visitId: null,
        officerId: null,
        dossierIds: ['D-7'],
        ticket: null,
        scale: 'keypad4',
        level: 3,
        source: 'keypad',
        reasons: [],
        responseMs: 1000,
      };
      const stored = await ingestBatch(other.db, [
        { unitId: 'u-b', counterId: 'q1', type: 'rating', payload },
      ]);
      expect(stored.inserted).toHaveLength(1);
      let readDone = false;
      const reading = dossierSatisfactionOf(other.db, { unitId: 'u-a', by: 'unit' }, period).then((r) => {
        readDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(readDone).toBe(false);
      release();
      await blocker;
      expect(await reading).toEqual(read);
      expect(await rebuilding).toBe(3);
      expect(rebuilt).toEqual(UNITS);
    } finally {
      release();
      await blocker;
      await rebuilding;
      await other.close();
    }
    await rebuildDossierOutcomes(db);
    await db.execute(sql`delete from ratings where unit_id = 'u-b' and 'D-7' = any(dossier_ids)`);
    await refreshDossierOutcomes(db);
    expect(await outcomesOf(db)).toEqual(kept);
  });
});
