import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from './db.js';

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
