/**
 * The worker-thread side of `openPgliteThread` (pglite-thread.ts): owns the PGlite instance and
 * answers the main thread's requests one message at a time. PGlite's own mutex serialises them,
 * and an open transaction holds it until the main thread says commit or rollback, exactly as
 * when PGlite runs in the main thread.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { NOTIFIED, ThreadReply, ThreadRequest, WireError } from './pglite-thread.js';

/** pglite-thread.ts's NOTIFIED, by value: importing that module would load the main side here. */
const NOTIFICATION: typeof NOTIFIED = -1;

const port = parentPort;
if (!port) throw new Error('pglite-thread-worker must run in a worker thread');
const { dataDir } = workerData as { dataDir: string | null };

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** Keeps the listed types as PostgreSQL's text, as drizzle asks (its parsers are all identity). */
function options(rowMode: 'array' | 'object', rawTypes: number[]): QueryOptions {
  const parsers: NonNullable<QueryOptions['parsers']> = {};
  for (const t of rawTypes) parsers[t] = (value: string) => value;
  return { rowMode, parsers };
}

/** Errors cross the thread boundary as plain data: PostgreSQL's fields (code, detail, …) included. */
function wire(err: unknown): WireError {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error', fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(err)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  return { message: err.message, name: err.name, stack: err.stack, fields };
}

/** What ends a transaction's callback: commit resolves it, rollback rejects it. */
const ROLLBACK = Symbol('rollback');
interface OpenTx {
  tx: Transaction;
  finish: (commit: boolean) => void;
}

async function main(): Promise<void> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  await migrate(drizzle({ client: pg }), { migrationsFolder: MIGRATIONS });
  const txs = new Map<number, OpenTx>();
  const ends = new Map<number, Promise<void>>();
  let nextTx = 1;

  const reply = (m: ThreadReply) => port?.postMessage(m);
  const handle = async (m: ThreadRequest): Promise<unknown> => {
    switch (m.op) {
      case 'query': {
        const on = m.tx === null ? pg : txs.get(m.tx)?.tx;
        if (!on) throw new Error(`transaction ${m.tx} is not open`);
        return on.query(m.sql, m.params, options(m.rowMode, m.rawTypes));
      }
      case 'exec': {
        const on = m.tx === null ? pg : txs.get(m.tx)?.tx;
        if (!on) throw new Error(`transaction ${m.tx} is not open`);
        return on.exec(m.sql);
      }
      case 'begin': {
        const id = nextTx++;
        // Answers once BEGIN has run; the transaction settles when the main thread ends it.
        return new Promise<number>((opened, failed) => {
          let isOpen = false;
          const done = pg.transaction(
            (tx) =>
              new Promise<void>((commit, rollback) => {
                txs.set(id, { tx, finish: (ok) => (ok ? commit() : rollback(ROLLBACK)) });
                isOpen = true;
                opened(id);
              }),
          );
          ends.set(id, done);
          done.then(
            () => txs.delete(id),
            (err: unknown) => {
              txs.delete(id);
              if (isOpen) return;
              ends.delete(id);
              failed(err);
            },
          );
        });
      }
      case 'end': {
        const open = txs.get(m.tx);
        const done = ends.get(m.tx);
        ends.delete(m.tx);
        if (!open || !done) throw new Error(`transaction ${m.tx} is not open`);
        open.finish(m.commit);
        try {
          await done;
        } catch (err) {
          if (err !== ROLLBACK) throw err;
        }
        return null;
      }
      case 'listen': {
        const { channel } = m;
        await pg.listen(channel, (payload) => reply({ id: NOTIFICATION, channel, payload }));
        return null;
      }
      case 'close':
        await pg.close();
        return null;
    }
  };

  port?.on('message', (m: ThreadRequest) => {
    handle(m).then(
      (result) => reply({ id: m.id, ok: true, result }),
      (err: unknown) => reply({ id: m.id, ok: false, error: wire(err) }),
    );
  });
  reply({ id: 0, ok: true, result: 'ready' });
}

main().catch((err: unknown) =>
  port.postMessage({ id: 0, ok: false, error: wire(err) } satisfies ThreadReply),
);
