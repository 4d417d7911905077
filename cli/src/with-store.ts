import { join } from 'node:path';
import type { Database } from '@onestop/store';

/** Where `onestop serve --data DIR` keeps its embedded database: admin commands must use the same. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}

/** Where `onestop serve --data DIR` answers admin commands while it holds the database. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'centre.sock');
}

/**
 * Opens the database itself (DATABASE_URL, else the embedded one, which must not be in use): for
 * bulk work such as `seed`. The admin commands go through admin/client.ts, which also reaches a
 * running centre.
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
