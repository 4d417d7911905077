import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { lockDataDir } from './data-lock.js';
import { refreshDossierOutcomes } from './dossier-outcomes.js';
import { type DossierRebuildEvent, startDossierRebuild } from './dossier-rebuild.js';
import { judgePending } from './judge/pending.js';
import { assertMigrationHistory, migrating } from './migration-history.js';
import {
  NotificationHub,
  type Notifications,
  pgliteListenTransport,
  postgresListenTransport,
} from './notify.js';
import * as schema from './schema.js';
import { startTableUpkeep, type UpkeepEvent } from './upkeep.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: code that may run inside one takes this. */
export type Executor = Database | Transaction;

export type DatabaseOptions = (
  | { kind: 'pglite'; dataDir: string | null }
  | { kind: 'postgres'; url: string; poolSize?: number; onIdleError?: (err: Error) => void }
) & {
  /** Progress of the background dossier rebuild (`Store.dossierRebuild`), for the log. */
  onDossierRebuild?: (e: DossierRebuildEvent) => void;
  /** Rounds of the embedded database's upkeep (upkeep.ts: PGlite has no autovacuum), for the log. */
  onUpkeep?: (e: UpkeepEvent) => void;
  /**
   * `false`: no table upkeep on PGlite, so no statistics unless the caller takes them (a plan
   * test that must not depend on whether the upkeep's analyze has run yet). On by default.
   */
  upkeep?: boolean;
};

export interface Store {
  db: Database;
  kind: DatabaseOptions['kind'];
  /** Signals from every process sharing the database (see notify.ts); connects on first use. */
  notifications: Notifications;
  /**
   * The dossier outcomes a migration asked to derive from scratch, one unit at a time in the
   * background of the open store (store/src/dossier-rebuild.ts): settles with the number of units
   * this process derived once none is left (or after `close`, or an error reported to
   * `onDossierRebuild`). Reads need not wait for it: they derive the units they read first.
   */
  dossierRebuild: Promise<number>;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * `DATABASE_URL` wins (PostgreSQL, several processes); otherwise an embedded PGlite in `dataDir`
 * (one process; `null` keeps it in memory, for tests).
 */
export function databaseOptionsFromEnv(dataDir: string | null, env = process.env): DatabaseOptions {
  const url = env.DATABASE_URL;
  return url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir };
}

/**
 * The server settings of every pooled session, after any the URL gives (`?options=…`). Every
 * read of this application is an index range over roll-ups (≤ ~50,000 rows, a few ms): a
 * parallel plan's workers cost more to start and gather than they save (a year of the city's
 * dossier figures: 19 ms with two workers, 6 ms without, on a 2-core server).
 */
function withSessionOptions(url: string): string {
  // In the URL itself: pg lets a connection string's fields override the pool's own options.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // Not a URL: pg takes it as it is.
  }
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set(
    'options',
    [given, '-c max_parallel_workers_per_gather=0'].filter(Boolean).join(' '),
  );
  return parsed.toString();
}

/**
 * Opens the database and brings its schema up to date (migrations are idempotent; a database
 * another version migrated is refused, `ForeignMigrationHistory`), then judges
 * the ratings an older version stored unjudged (`judgePending`, bounded and resumable).
 */
export async function openStore(opts: DatabaseOptions): Promise<Store> {
  if (opts.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: withSessionOptions(opts.url), max: opts.poolSize ?? 10 });
    // An idle pooled connection that the server drops (restart, failover) must not crash the
    // process: the pool replaces it, and the next query reports any lasting outage.
    pool.on('error', (err) => opts.onIdleError?.(err));
    // A connection dropped while checked out (a transaction under way: the background dossier
    // rebuild holds one for minutes) emits 'error' on its client, which the pool no longer
    // listens to, and an unheard 'error' ends the process. The query under way rejects with the
    // same error and its caller reports it, so hearing it here is enough.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = drizzleNodePg({ client: pool, schema });
    const background = await (async () => {
      await assertMigrationHistory(db as unknown as Database, MIGRATIONS);
      await migrating(() => migrateNodePg(db, { migrationsFolder: MIGRATIONS }));
      await judgePending(db as unknown as Database);
      return startBackground(db as unknown as Database, 'postgres', opts);
    })().catch(async (err: unknown) => {
      // A store that failed to open leaves no connection behind (a caller may retry, or reseed).
      await pool.end().catch(() => {});
      throw err;
    });
    const notifications = new NotificationHub(postgresListenTransport(opts.url));
    return {
      db: db as unknown as Database,
      kind: 'postgres',
      notifications,
      dossierRebuild: background.dossierRebuild,
      close: () =>
        background
          .stop()
          .then(() => notifications.close())
          .finally(() => pool.end()),
    };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  let client: PGlite | null = null;
  try {
    client = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
    const db = drizzlePglite({ client, schema });
    await assertMigrationHistory(db as unknown as Database, MIGRATIONS);
    await migrating(() => migratePglite(db, { migrationsFolder: MIGRATIONS }));
    await judgePending(db as unknown as Database);
    const background = await startBackground(db as unknown as Database, 'pglite', opts);
    const open = client;
    const notifications = new NotificationHub(pgliteListenTransport(open));
    return {
      db: db as unknown as Database,
      kind: 'pglite',
      notifications,
      dossierRebuild: background.dossierRebuild,
      close: () =>
        background
          .stop()
          .then(() => notifications.close())
          .then(() => open.close())
          .finally(unlock),
    };
  } catch (err) {
    // The folder is free again only once this process holds none of its files.
    await client?.close().catch(() => {});
    unlock();
    throw err;
  }
}

/**
 * What an open store runs beside its callers: the dossier outcomes first (the few pairs listed
 * by changes outside ingest are derived before the store is handed out, while a full rebuild a
 * migration or a bulk load asked for, minutes at city scale, runs in the background one unit at
 * a time, so the centre starts and ingests at once; reads stay right meanwhile by deriving a unit
 * still waiting before reading it), and on PGlite, which has no autovacuum, the table upkeep.
 * `stop` ends both, letting the unit or round under way finish.
 */
export async function startBackground(
  db: Database,
  kind: DatabaseOptions['kind'],
  opts: Pick<DatabaseOptions, 'onDossierRebuild' | 'onUpkeep' | 'upkeep'>,
): Promise<{ dossierRebuild: Promise<number>; stop(): Promise<void> }> {
  await refreshDossierOutcomes(db, { wholeUnits: 'leave' });
  const rebuild = startDossierRebuild(db, opts.onDossierRebuild);
  const upkeep = kind === 'pglite' && opts.upkeep !== false ? startTableUpkeep(db, opts.onUpkeep) : null;
  return {
    dossierRebuild: rebuild.done,
    stop: () => rebuild.stop().then(() => upkeep?.stop()),
  };
}
