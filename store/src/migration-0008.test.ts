import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgePending } from './judge/pending.js';
import { devices, events, hourlyRollups, ratings, units } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';
import { CLOCK_TOLERANCE_MS } from './time/placement.js';

/**
 * The data step of migration 0008 on rows as an older version stored them: ratings and events
 * with no placed time, and roll-ups counting every rating by its device clock for whichever
 * officer the device named. The schema is already migrated; the test reruns the data statements
 * of the file (UPDATE / WITH) on rows reset to their pre-0008 state.
 */
const MIGRATION = new URL('../migrations/0008_evaluation_trust.sql', import.meta.url);
const dataStatements = readFileSync(MIGRATION, 'utf8')
  .split('--> statement-breakpoint')
  .map((s) => s.trim())
  .filter((s) => /^(UPDATE|WITH)\b/m.test(s.replace(/^--.*$/gm, '').trim()));

const H = 3_600_000;
const MIN = 60_000;
const RECEIVED = Date.UTC(2025, 8, 1, 3);
const PROVISIONED = Date.UTC(2025, 5, 1);
const NO_RECORD_FLOOR = Date.UTC(2020, 0, 1);

interface Old {
  name: string;
  deviceId: string;
  officerId: string | null;
  deviceTs: number;
  level: number;
  kept: boolean;
}
const OLD: Old[] = [
  { name: 'in the past', deviceId: 'd-old', officerId: 'cb-a', deviceTs: RECEIVED - H, level: 4, kept: true },
  {
    name: 'ahead within tolerance',
    deviceId: 'd-old',
    officerId: 'cb-a',
    deviceTs: RECEIVED + CLOCK_TOLERANCE_MS - MIN,
    level: 1,
    kept: true,
  },
  {
    name: 'tomorrow',
    deviceId: 'd-old',
    officerId: 'cb-a',
    deviceTs: RECEIVED + 24 * H,
    level: 1,
    kept: false,
  },
  {
    name: 'in 2030',
    deviceId: 'd-old',
    officerId: null,
    deviceTs: Date.UTC(2030, 0, 1),
    level: 2,
    kept: false,
  },
  {
    name: 'before provisioning',
    deviceId: 'd-old',
    officerId: 'cb-a',
    deviceTs: PROVISIONED - CLOCK_TOLERANCE_MS - MIN,
    level: 1,
    kept: false,
  },
  {
    name: 'just after provisioning (within tolerance before)',
    deviceId: 'd-old',
    officerId: 'cb-b',
    deviceTs: PROVISIONED - MIN,
    level: 3,
    kept: true,
  },
  {
    name: 'no device record, 2024',
    deviceId: 'd-gone',
    officerId: 'cb-a',
    deviceTs: Date.UTC(2024, 0, 1),
    level: 3,
    kept: true,
  },
  {
    name: 'no device record, 2019',
    deviceId: 'd-gone',
    officerId: 'cb-a',
    deviceTs: NO_RECORD_FLOOR - H,
    level: 4,
    kept: false,
  },
];
const OFFICIAL = ['', 'unsatisfied', 'satisfied', 'satisfied', 'very_satisfied'] as const;
const SCORE = [0, 0, 33, 67, 100];
const hourOf = (ms: number) => Math.floor(ms / H) * H;

/** The roll-ups an older version kept for `rows`: every rating, by device hour and named officer. */
function oldRollups(rows: Old[]) {
  const m = new Map<
    string,
    { ratings: number; unsatisfied: number; scoreSum: number; levels: Record<string, number> }
  >();
  for (const r of rows) {
    const key = JSON.stringify([r.officerId ?? '', hourOf(r.deviceTs)]);
    const g = m.get(key) ?? { ratings: 0, unsatisfied: 0, scoreSum: 0, levels: {} };
    g.ratings += 1;
    if (OFFICIAL[r.level] === 'unsatisfied') g.unsatisfied += 1;
    g.scoreSum += SCORE[r.level]!;
    g.levels[`keypad4:${r.level}`] = (g.levels[`keypad4:${r.level}`] ?? 0) + 1;
    m.set(key, g);
  }
  return m;
}

describe.each(STORE_BACKENDS)('migration 0008 on rows stored before it, on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('quarantines implausible device clocks and takes them out of the roll-ups', async () => {
    expect(dataStatements).toHaveLength(3);
    const db = store.db;
    await db.insert(units).values({ id: 'u-m', name: 'Phường M' });
    await db.insert(devices).values({
      id: 'd-old',
      unitId: 'u-m',
      counterId: 'q1',
      username: 'd-old',
      passwordHash: 'x',
      createdAt: new Date(PROVISIONED),
    });
    const ids = OLD.map((_, i) => `0193a0c2-5f00-7000-8000-${String(i + 1).padStart(12, '0')}`);
    await db.insert(events).values(
      OLD.map((r, i) => ({
        eventId: ids[i]!,
        type: 'rating',
        unitId: 'u-m',
        counterId: 'q1',
        deviceId: r.deviceId,
        bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f',
        seq: i + 1,
        deviceTs: new Date(r.deviceTs),
        receivedAt: new Date(RECEIVED),
        payload: {},
      })),
    );
    await db.insert(ratings).values(
      OLD.map((r, i) => ({
        eventId: ids[i]!,
        unitId: 'u-m',
        counterId: 'q1',
        deviceId: r.deviceId,
        officerId: r.officerId,
        scale: 'keypad4',
        level: r.level,
        official: OFFICIAL[r.level]!,
        score: SCORE[r.level]!,
        source: 'keypad',
        deviceTs: new Date(r.deviceTs),
        serverTs: new Date(RECEIVED),
      })),
    );
    const before = oldRollups(OLD);
    await db.insert(hourlyRollups).values(
      [...before].map(([key, g]) => {
        const [officerId, hour] = JSON.parse(key) as [string, number];
        return { unitId: 'u-m', counterId: 'q1', officerId, hour: new Date(hour), ...g };
      }),
    );
    // As the columns were when 0008 added them.
    await db.execute(sql`update events set at = null, time_source = 'device'`);
    await db.execute(sql`update ratings set at = null, attribution = 'pending'`);

    for (const s of dataStatements) await db.execute(sql.raw(s));

    const placed = await db
      .select({ id: events.eventId, at: events.at, source: events.timeSource })
      .from(events);
    const rated = await db.select({ id: ratings.eventId, at: ratings.at }).from(ratings);
    for (const [i, r] of OLD.entries()) {
      const want = r.kept ? new Date(r.deviceTs) : null;
      expect({ name: r.name, at: placed.find((e) => e.id === ids[i])?.at }).toEqual({
        name: r.name,
        at: want,
      });
      expect({ name: r.name, src: placed.find((e) => e.id === ids[i])?.source }).toEqual({
        name: r.name,
        src: r.kept ? 'device' : 'quarantined',
      });
      expect({ name: r.name, at: rated.find((e) => e.id === ids[i])?.at }).toEqual({
        name: r.name,
        at: want,
      });
    }

    // The roll-ups now hold exactly the kept ratings; hours of quarantined ones drop to zero.
    const after = oldRollups(OLD.filter((r) => r.kept));
    const rows = await db.select().from(hourlyRollups);
    for (const row of rows) {
      const key = JSON.stringify([row.officerId, row.hour.getTime()]);
      const want = after.get(key) ?? { ratings: 0, unsatisfied: 0, scoreSum: 0, levels: {} };
      expect({
        key,
        ratings: row.ratings,
        unsatisfied: row.unsatisfied,
        scoreSum: row.scoreSum,
        levels: row.levels,
      }).toEqual({
        key,
        ...want,
      });
    }

    // Judging at open then judges the kept ones only; nothing quarantined is counted anywhere.
    await judgePending(db);
    const [sum] = (
      (await db.execute(
        sql`select sum(ratings + unverified + filtered)::int as n from hourly_rollups`,
      )) as unknown as {
        rows: Array<{ n: number }>;
      }
    ).rows;
    expect(sum?.n).toBe(OLD.filter((r) => r.kept).length);
  });
});
