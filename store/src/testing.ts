import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { type Executor, openStore, type Store } from './db.js';
import { deviceBoots, devices } from './schema.js';

/**
 * The same suites run on both back ends. PostgreSQL is expected at TEST_POSTGRES_URL (default:
 * this machine's trust-auth server); each call gets a fresh throw-away database. Set
 * ONESTOP_TEST_POSTGRES=off only on a machine that truly has no PostgreSQL: CI never does.
 */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STORE_BACKENDS: Array<'pglite' | 'postgres'> =
  process.env.ONESTOP_TEST_POSTGRES === 'off' ? ['pglite'] : ['pglite', 'postgres'];

export interface TestStore extends Store {
  /** Connection string of the throw-away database (postgres only), for child processes. */
  url: string | null;
}

export async function openTestStore(kind: 'pglite' | 'postgres'): Promise<TestStore> {
  if (kind === 'pglite') return { ...(await openStore({ kind: 'pglite', dataDir: null })), url: null };
  const name = `onestop_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ kind: 'postgres', url: url.toString() });
  return {
    ...store,
    url: url.toString(),
    async close() {
      await store.close();
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * What the centre knows of a device that has been working for a while: provisioned at
 * `provisionedAt`, and its boot `bootId` begun at `bootedAtMs`, as placement learns it from events
 * received live (time/place.ts). For suites on a real clock that cannot send live events in the
 * past, yet send events of the past (a sign-in an hour ago), which the centre then places by the
 * device clock as it would have had it heard the boot live.
 */
export async function knownDevice(
  db: Executor,
  deviceId: string,
  known: { provisionedAt: number; bootId: string; bootedAtMs: number },
): Promise<void> {
  await db
    .update(devices)
    .set({ createdAt: new Date(known.provisionedAt) })
    .where(eq(devices.id, deviceId));
  await db
    .insert(deviceBoots)
    .values({ deviceId, bootId: known.bootId, bootedAtMs: known.bootedAtMs, clockOffsetMs: 0 })
    .onConflictDoNothing();
}
