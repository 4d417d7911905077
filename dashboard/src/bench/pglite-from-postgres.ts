/**
 * Builds the bench's PGlite city by copying the PostgreSQL database already seeded with the same
 * key, instead of seeding PGlite itself: `seedCity` on PGlite (WASM, one thread) takes hours at
 * city scale, so PGlite was never measured there, while the copy holds the very same rows.
 *
 * The schema is PGlite's own (an empty `openStore` runs the migrations: indexes, triggers and
 * functions as PGlite would have them); only the rows of the public schema move, in COPY text
 * chunks of table pages so memory stays bounded, with triggers off (they would re-derive what the
 * rows already hold), then every sequence is set to the source's value and the tables analysed.
 * The source is read in one repeatable-read snapshot, so the copy is of one moment.
 */

import { PGlite } from '@electric-sql/pglite';
import { type DatabaseOptions, lockDataDir, openStore } from '@onestop/store';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** Table pages per chunk (8 kB each): a chunk of text stays around tens of megabytes. */
const CHUNK_PAGES = 2000;

export interface CopyTotals {
  tables: number;
  rows: number;
  ms: number;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The source was migrated otherwise (a migration edited since it was seeded, or one it lacks):
 * its rows cannot be taken as this schema's, so the caller seeds instead.
 */
export class SchemaMismatch extends Error {}

/**
 * Copies every row of the PostgreSQL database at `sourceUrl` (public schema; drizzle's own
 * bookkeeping is written by the migrations) into a new PGlite database in `dataDir`, which must
 * be empty or absent. Fails when the two were migrated differently.
 */
export async function copyPostgresIntoPglite(
  sourceUrl: string,
  dataDir: string,
  opts: {
    log?: (line: string) => void;
    chunkPages?: number;
    onDossierRebuild?: DatabaseOptions['onDossierRebuild'];
  } = {},
): Promise<CopyTotals> {
  const log = opts.log ?? (() => {});
  const chunkPages = opts.chunkPages ?? CHUNK_PAGES;
  const started = Date.now();
  // The migrations of PGlite itself, then closed: the copy needs the client alone, with no
  // background dossier rebuild of the empty database running beside it.
  await (await openStore({ kind: 'pglite', dataDir, onDossierRebuild: opts.onDossierRebuild })).close();
  const unlock = lockDataDir(dataDir);
  const target = new PGlite(dataDir);
  const source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  try {
    await source.query('begin isolation level repeatable read read only');
    const migrations = 'select hash from drizzle.__drizzle_migrations order by id';
    const [from, to] = [
      (await source.query<{ hash: string }>(migrations)).rows.map((r) => r.hash),
      (await target.query<{ hash: string }>(migrations)).rows.map((r) => r.hash),
    ];
    if (from.join() !== to.join())
      throw new SchemaMismatch(
        `copy: the source has ${from.length} migrations, PGlite ${to.length}, not all the same: not the same schema`,
      );
    const tablesOf = "select tablename from pg_tables where schemaname = 'public' order by tablename";
    const tables = (await source.query<{ tablename: string }>(tablesOf)).rows.map((r) => r.tablename);
    const mine = (await target.query<{ tablename: string }>(tablesOf)).rows.map((r) => r.tablename);
    if (tables.join() !== mine.join())
      throw new SchemaMismatch(`copy: tables differ: source ${tables.join()}; PGlite ${mine.join()}`);

    // Replica role: no user trigger nor foreign-key check fires, so tables load in any order.
    await target.exec('set session_replication_role = replica');
    // Rows the migrations themselves wrote (a rebuild asked for) come again from the source.
    await target.exec(`truncate ${tables.map((t) => `public.${ident(t)}`).join(', ')}`);
    const loading = Date.now();
    let rows = 0;
    for (const table of tables) rows += await copyTable(source, target, table, chunkPages, log);
    await copySequences(source, target);
    await target.exec('set session_replication_role = default');
    await source.query('commit');
    const loadedAt = Date.now();
    await target.exec('analyze');
    const ms = Date.now() - started;
    const loaded = loadedAt - loading;
    log(
      `copy: ${rows} rows of ${tables.length} tables in ${(ms / 1000).toFixed(1)} s, rows loaded in ` +
        `${(loaded / 1000).toFixed(1)} s (${perSecond(rows, loaded)} rows/s; the rest is schema and analyse)`,
    );
    return { tables: tables.length, rows, ms };
  } finally {
    await source.end();
    await target.close();
    unlock();
  }
}

const perSecond = (rows: number, ms: number) => Math.round(rows / Math.max(ms / 1000, 0.001));

/** One table, chunk by chunk of its pages; the next chunk is read while PGlite loads this one. */
async function copyTable(
  source: pg.Client,
  target: PGlite,
  table: string,
  chunkPages: number,
  log: (line: string) => void,
): Promise<number> {
  const started = Date.now();
  const name = `public.${ident(table)}`;
  const columns = (
    await source.query<{ attname: string }>(
      `select attname from pg_attribute where attrelid = $1::regclass and attnum > 0
        and not attisdropped and attgenerated = '' order by attnum`,
      [name],
    )
  ).rows
    .map((r) => ident(r.attname))
    .join(', ');
  const [size] = (
    await source.query<{ pages: string }>(
      "select pg_relation_size($1::regclass) / current_setting('block_size')::int as pages",
      [name],
    )
  ).rows;
  const pages = Number(size?.pages ?? 0);
  const chunks = Math.max(1, Math.ceil(pages / chunkPages));
  // The last chunk has no upper bound: pages added since the size was read hold no row of the
  // snapshot, yet a bound must never be what leaves a row behind.
  const read = (i: number) =>
    readCopy(
      source,
      `copy (select ${columns} from ${name} where ctid >= '(${i * chunkPages},0)'::tid${
        i + 1 < chunks ? ` and ctid < '(${(i + 1) * chunkPages},0)'::tid` : ''
      }) to stdout`,
    );
  let rows = 0;
  let next = read(0);
  for (let i = 0; i < chunks; i++) {
    const data = await next;
    if (i + 1 < chunks) {
      next = read(i + 1);
      // Awaited next round; if loading this chunk fails first, the read's failure is not news.
      next.catch(() => {});
    }
    if (data.size > 0) {
      const r = await target.query(`copy ${name} (${columns}) from '/dev/blob'`, [], { blob: data });
      rows += r.affectedRows ?? 0;
    }
    if (chunks > 1)
      log(
        `  copy ${table}: chunk ${i + 1}/${chunks}, ${rows} rows (${perSecond(rows, Date.now() - started)} rows/s)`,
      );
  }
  log(`  copy ${table}: ${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return rows;
}

/** The text of one COPY … TO STDOUT, whole (a chunk is bounded by its pages). */
async function readCopy(source: pg.Client, text: string): Promise<Blob> {
  // Socket data: Buffers over plain (never shared) ArrayBuffers, as a Blob takes them.
  const parts: Buffer<ArrayBuffer>[] = [];
  for await (const part of source.query(copyTo(text))) parts.push(part as Buffer<ArrayBuffer>);
  return new Blob(parts);
}

/** Each sequence of the public schema where the source has it (serial ids go on from there). */
async function copySequences(source: pg.Client, target: PGlite): Promise<void> {
  const names = (
    await source.query<{ sequencename: string }>(
      "select sequencename from pg_sequences where schemaname = 'public' order by 1",
    )
  ).rows.map((r) => `public.${ident(r.sequencename)}`);
  for (const name of names) {
    const [s] = (
      await source.query<{ last_value: string; is_called: boolean }>(
        `select last_value, is_called from ${name}`,
      )
    ).rows;
    if (s)
      await target.query('select setval($1::regclass, $2::bigint, $3)', [name, s.last_value, s.is_called]);
  }
}
