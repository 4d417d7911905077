import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDeviceConfig } from './device-config.js';
import { counterConfigs, devices } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

/**
 * The backfill of the counter identity migration (0030) on settings stored per board, as before it: the schema is
 * migrated (0031 dropped `device_configs`), so the test recreates that table as 0000 made it,
 * fills it, and reruns the file's INSERT.
 */
const file = (name: string) => readFileSync(new URL(`../migrations/${name}`, import.meta.url), 'utf8');
const statements = (text: string) => text.split('--> statement-breakpoint').map((s) => s.trim());
// Found by name, whatever number the migration ends up with.
const ours = readdirSync(new URL('../migrations/', import.meta.url)).find((f) =>
  f.endsWith('_counter_identity.sql'),
)!;
const backfill = statements(file(ours)).filter((s) => /^INSERT\b/m.test(s.replace(/^--.*$/gm, '').trim()));
const oldTable = statements(file('0000_init.sql')).find((s) =>
  s.startsWith('CREATE TABLE "device_configs"'),
)!;

const T0 = Date.UTC(2026, 5, 1);
const H = 3_600_000;

describe.each(STORE_BACKENDS)('migration 0030 on settings stored per board, on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('gives each counter its live board’s latest settings under the highest version, never a revoked board’s', async () => {
    expect(backfill).toHaveLength(1);
    const db = store.db;
    const dev = (id: string, counterId: string, revoked: boolean) => ({
      id,
      unitId: 'u-m',
      counterId,
      username: `dev-${id}`,
      passwordHash: 'x',
      revokedAt: revoked ? new Date(T0) : null,
    });
    await db.insert(devices).values([
      // q1: an old board (revoked, high version, changed last) and the live one.
      dev('q1-old', 'q1', true),
      dev('q1-live', 'q1', false),
      // q2: one board. q3: only a revoked board: its frozen roster and scale stay behind.
      dev('q2-a', 'q2', false),
      dev('q3-gone', 'q3', true),
      // q4: a board with no settings: its counter gets none.
      dev('q4-file', 'q4', false),
      // q5: the live board runs on its file; the revoked one it replaced had settings: none.
      dev('q5-old', 'q5', true),
      dev('q5-file', 'q5', false),
    ]);
    await db.execute(sql.raw(oldTable));
    const cfg = (id: string, version: number, scale: string, at: number) =>
      sql`(${id}, ${version}, ${JSON.stringify({ scale })}::jsonb, ${new Date(at).toISOString()}::timestamptz)`;
    await db.execute(sql`insert into device_configs (device_id, version, settings, updated_at) values
      ${sql.join(
        [
          cfg('q1-old', 9, 'keypad3', T0 + 2 * H),
          cfg('q1-live', 4, 'keypad5', T0 + H),
          cfg('q2-a', 2, 'keypad4', T0),
          cfg('q3-gone', 6, 'keypad3', T0),
          cfg('q5-old', 7, 'keypad3', T0),
        ],
        sql`, `,
      )}`);
    try {
      for (const s of backfill) await db.execute(sql.raw(s));
      // Rerunnable: a second run changes nothing.
      for (const s of backfill) await db.execute(sql.raw(s));
    } finally {
      await db.execute(sql`drop table device_configs`);
    }
    const rows = await db
      .select({
        counterId: counterConfigs.counterId,
        version: counterConfigs.version,
        settings: counterConfigs.settings,
      })
      .from(counterConfigs)
      .where(sql`${counterConfigs.unitId} = 'u-m'`)
      .orderBy(counterConfigs.counterId);
    expect(rows).toEqual([
      { counterId: 'q1', version: 9, settings: { scale: 'keypad5' } },
      { counterId: 'q2', version: 2, settings: { scale: 'keypad4' } },
    ]);
    // Every board reads its counter's settings; the old board the same as the live one.
    expect((await getDeviceConfig(db, 'q1-old'))?.settings.scale).toBe('keypad5');
    expect(await getDeviceConfig(db, 'q4-file')).toBeNull();
    expect(await getDeviceConfig(db, 'q5-file')).toBeNull();
  });
});
