import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './db.js';

/**
 * Multi-row INSERT through one JSON parameter (`jsonb_to_recordset`). Drizzle's `.values()` builds
 * and type-checks every value of every row in JavaScript, which costs more than the database work
 * at ingest batch sizes; here the whole batch is one `JSON.stringify` and PostgreSQL does the rest.
 * Only columns that some row sets are written; the others keep their defaults.
 */
export async function bulkInsert<T extends PgTable>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<T['$inferInsert']>,
  opts: { onConflictDoNothing?: boolean; returning?: string } = {},
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const columns = Object.entries(getTableColumns(table)).filter(([key]) =>
    rows.some((r) => (r as Record<string, unknown>)[key] !== undefined),
  );
  const json = JSON.stringify(
    rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const [key, col] of columns) o[col.name] = (r as Record<string, unknown>)[key] ?? null;
      return o;
    }),
  );
  const names = sql.join(
    columns.map(([, c]) => sql.identifier(c.name)),
    sql`, `,
  );
  const defs = sql.raw(columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', '));
  const conflict = opts.onConflictDoNothing ? sql` on conflict do nothing` : sql``;
  const returning = opts.returning ? sql` returning ${sql.identifier(opts.returning)}` : sql``;
  const result = await db.execute(
    sql`insert into ${sql.identifier(getTableName(table))} (${names}) select ${names} from jsonb_to_recordset(${json}::jsonb) as r(${defs})${conflict}${returning}`,
  );
  // node-postgres and PGlite both return `{ rows }`.
  return (result as unknown as { rows: Array<Record<string, unknown>> }).rows;
}
