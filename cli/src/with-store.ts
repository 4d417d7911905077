import { type Database, databaseOptionsFromEnv, openStore } from '@onestop/store';

/**
 * Admin commands (devices, accounts) work on the database directly: with the embedded store the
 * all-in-one must be stopped first (one process per PGlite folder); with DATABASE_URL they can
 * run alongside the servers.
 */
export async function withStore<T>(dataDir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const store = await openStore(databaseOptionsFromEnv(dataDir));
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}
