import { join } from 'node:path';
import type { Database } from '@onestop/store';

/** Where `onestop serve --data DIR` keeps its embedded database: admin commands must use the same. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

/**
 * Admin commands (devices, accounts, rosters, settings, commands) work on the database directly:
 * with the embedded store the all-in-one must be stopped first (one process per PGlite folder);
 * with DATABASE_URL they can run alongside the servers.
 */
export async function withStore<T>(dataDir: string, fn: (db: Database) => Promise<T>): Promise<T> {
  // Loaded on use: a command that never opens the database (--help) never loads the store.
  const { databaseOptionsFromEnv, openStore } = await import('@onestop/store');
  const store = await openStore(databaseOptionsFromEnv(embeddedDatabaseDir(dataDir)));
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}
