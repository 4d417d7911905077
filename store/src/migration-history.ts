import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './db.js';

/**
 * The database was migrated by a version of onestop whose migrations are not this one's: a newer
 * release (the centre was rolled back) or a build whose history never landed. Drizzle's migrator
 * compares only the newest applied migration's time with each of ours, so it would either apply
 * nothing and run on a schema it does not know, or replay a migration over tables that already
 * exist and stop half-way with "relation already exists". Refused before either, with the way out.
 */
export class ForeignMigrationHistory extends Error {
  override readonly name = 'ForeignMigrationHistory';
}

/** A migration of this version failed on this database (rolled back: drizzle runs them in one transaction). */
export class MigrationFailed extends Error {
  override readonly name = 'MigrationFailed';
  constructor(cause: unknown) {
    super(`migrating the database failed, nothing of it applied: ${(cause as Error).message}`, { cause });
  }
}

/** Runs drizzle's migrator, its failure told apart from the store's other errors. */
export async function migrating(run: () => Promise<void>): Promise<void> {
  await run().catch((err: unknown) => {
    throw new MigrationFailed(err);
  });
}

export interface MigrationStamp {
  /** The journal's `when`, which drizzle stores as `created_at`. */
  when: number;
  hash: string;
}

/** This version's migrations, oldest first. */
export function knownMigrations(folder: string): MigrationStamp[] {
  return readMigrationFiles({ migrationsFolder: folder }).map((m) => ({
    when: m.folderMillis,
    hash: m.hash,
  }));
}

/** What drizzle recorded as applied, oldest first; empty for a new database. */
export async function appliedMigrations(db: Database): Promise<MigrationStamp[]> {
  const rowsOf = async <T>(q: ReturnType<typeof sql>) =>
    ((await db.execute(q)) as unknown as { rows: T[] }).rows;
  const [table] = await rowsOf<{ t: string | null }>(
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`,
  );
  if (!table?.t) return [];
  const rows = await rowsOf<{ created_at: string | number; hash: string }>(
    sql`select created_at, hash from drizzle.__drizzle_migrations order by created_at, id`,
  );
  return rows.map((r) => ({ when: Number(r.created_at), hash: r.hash }));
}

/**
 * `null` when the applied migrations are ours, in order, up to some point (the rest are applied
 * next); otherwise why not. Compared by time, as drizzle compares them: a migration file whose
 * text changed after it landed (a comment) is still the same migration.
 */
export function historyMismatch(applied: MigrationStamp[], known: MigrationStamp[]): string | null {
  for (const [i, stamp] of applied.entries()) {
    if (known[i]?.when === stamp.when) continue;
    const at = new Date(stamp.when).toISOString();
    return i >= known.length || stamp.when > (known.at(-1)?.when ?? 0)
      ? `the database was migrated by a newer version of onestop (migration ${i + 1} of ${at} is unknown here): run that version or restore a backup taken before it`
      : `the database's migration ${i + 1} (of ${at}) is not this version's: it was migrated by a build whose history did not land; restore a backup or start from an empty database`;
  }
  return null;
}

/** Throws `ForeignMigrationHistory` unless the database's migrations are a beginning of ours. */
export async function assertMigrationHistory(db: Database, folder: string): Promise<void> {
  const why = historyMismatch(await appliedMigrations(db), knownMigrations(folder));
  if (why) throw new ForeignMigrationHistory(why);
}
