import { Worker } from 'node:worker_threads';
import type { PGlite, QueryOptions, Results } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { lockDataDir } from './data-lock.js';
import { type Database, type DatabaseOptions, type Store, startBackground } from './db.js';
import { NotificationHub, pgliteListenTransport } from './notify.js';
import * as schema from './schema.js';

/** Main thread → PGlite thread. `tx` null means outside any transaction. */
type Request =
  | {
      op: 'query';
      tx: number | null;
      sql: string;
      params: unknown[];
      rowMode: 'array' | 'object';
      /** Types to return as PostgreSQL's text (drizzle's parsers, which are all identity). */
      rawTypes: number[];
    }
  | { op: 'exec'; tx: number | null; sql: string }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  /** From then on the thread forwards every notification on `channel` (see NOTIFIED). */
  | { op: 'listen'; channel: string }
  | { op: 'close' };
export type ThreadRequest = Request & { id: number };

export interface WireError {
  message: string;
  name: string;
  stack?: string;
  /** PostgreSQL's error fields (code, detail, constraint, …). */
  fields: Record<string, string | number | boolean>;
}
/** The id of a message that is no reply but a forwarded LISTEN/NOTIFY notification. */
export const NOTIFIED = -1;
/** PGlite thread → main thread; id 0 is the start-up report. */
export type ThreadReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WireError }
  | { id: typeof NOTIFIED; channel: string; payload: string };

const fromWire = (e: WireError): Error => {
  const err = Object.assign(new Error(e.message), e.fields);
  err.name = e.name;
  if (e.stack) err.stack = `${e.stack}\n    (in the PGlite thread)`;
  return err;
};

/** Request/response over the worker's message port; the worker keeps the process alive only while busy. */
export class Thread {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;
  readonly ready: Promise<void>;

  /** Set while closing on purpose, so that the worker's exit then is not reported as a crash. */
  closing = false;

  /** Where forwarded notifications go (the store's notification hub). */
  onNotification: (channel: string, payload: string) => void = () => {};

  constructor(
    readonly worker: Worker,
    onCrash: (err: Error) => void,
  ) {
    let started: { resolve: () => void; reject: (e: Error) => void } | null = null;
    this.ready = new Promise((resolve, reject) => (started = { resolve, reject }));
    worker.on('message', (m: ThreadReply) => {
      if ('channel' in m) {
        this.onNotification(m.channel, m.payload);
        return;
      }
      if (m.id === 0) {
        if (m.ok) started?.resolve();
        else started?.reject(fromWire(m.error));
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.result);
      else p.reject(fromWire(m.error));
    });
    const fail = (err: Error) => {
      if (!this.dead && !this.closing) onCrash(err);
      this.dead ??= err;
      started?.reject(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PGlite thread has stopped (exit code ${code})`)));
  }

  request<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id } satisfies ThreadRequest);
    });
  }
}

/**
 * The part of PGlite's interface that drizzle's PGlite driver uses (`query`, `exec`,
 * `transaction`), forwarded to the thread. Inside a transaction the same object is bound to it.
 */
class ThreadClient {
  closed = false;
  constructor(
    private readonly thread: Thread,
    private readonly tx: number | null,
  ) {}

  query<T>(sql: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    return this.thread.request({
      op: 'query',
      tx: this.tx,
      sql,
      params,
      rowMode: options?.rowMode ?? 'object',
      rawTypes: Object.keys(options?.parsers ?? {}).map(Number),
    });
  }

  exec(sql: string): Promise<Results[]> {
    return this.thread.request({ op: 'exec', tx: this.tx, sql });
  }

  async transaction<T>(fn: (tx: ThreadClient) => Promise<T>): Promise<T> {
    // drizzle nests with savepoints on the transaction handle, never through here.
    if (this.tx !== null) throw new Error('nested PGlite transaction');
    const id = await this.thread.request<number>({ op: 'begin' });
    const tx = new ThreadClient(this.thread, id);
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      tx.closed = true;
      await this.thread.request({ op: 'end', tx: id, commit: false }).catch(() => {});
      throw err;
    }
    tx.closed = true;
    await this.thread.request({ op: 'end', tx: id, commit: true });
    return result;
  }
}

const WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './pglite-thread-worker.ts' : './pglite-thread-worker.js',
  import.meta.url,
);

/**
 * The embedded database (PGlite, migrated) running in a worker thread: PGlite executes SQL
 * synchronously on whichever thread owns it, so in the all-in-one it would otherwise take turns
 * with MQTT handling on one core. Here the statement runs on the other core while the main thread
 * keeps reading sockets. Same `Store` as `openStore({ kind: 'pglite' })`, one process still
 * owning the data folder; query results and errors are copied across the thread boundary.
 */
export async function openPgliteThread(
  dataDir: string | null,
  /**
   * Called once if the thread dies while open (out of memory, a WASM fault). Every query fails
   * from then on, so a server should exit and let its supervisor restart it on the same folder.
   */
  onCrash: (err: Error) => void = () => {},
  onDossierRebuild?: DatabaseOptions['onDossierRebuild'],
  onUpkeep?: DatabaseOptions['onUpkeep'],
): Promise<Store> {
  // From sources (tsx, tests) the worker registers the TypeScript loader first: on Node 20 a
  // worker's entry module is resolved before any `--import` hook of its own could handle `.ts`.
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  const worker = WORKER.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((t) => (t.register(), import(${JSON.stringify(WORKER.href)})))`,
        {
          eval: true,
          workerData: { dataDir },
        },
      )
    : new Worker(WORKER, { workerData: { dataDir } });
  const thread = new Thread(worker, onCrash);
  try {
    await thread.ready;
  } catch (err) {
    await worker.terminate();
    unlock();
    throw err;
  }
  worker.unref();
  const client = new ThreadClient(thread, null);
  // drizzle's PGlite driver only calls the methods ThreadClient has.
  const db = drizzle({ client: client as unknown as PGlite, schema });
  // Notifications are forwarded as messages: per channel, the thread calls back for each.
  const callbacks = new Map<string, (payload: string) => void>();
  thread.onNotification = (channel, payload) => callbacks.get(channel)?.(payload);
  const notifications = new NotificationHub(
    pgliteListenTransport({
      listen: (channel, callback) => {
        callbacks.set(channel, callback);
        return thread.request({ op: 'listen', channel });
      },
    }),
  );
  // As `openStore`: the dossier rebuild and the table upkeep run in the background.
  const background = await startBackground(db as unknown as Database, 'pglite', {
    onDossierRebuild,
    onUpkeep,
  }).catch(async (err) => {
    await worker.terminate();
    unlock();
    throw err;
  });
  let closing: Promise<void> | null = null;
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    notifications,
    dossierRebuild: background.dossierRebuild,
    close() {
      closing ??= background
        .stop()
        .then(() => {
          thread.closing = true;
        })
        .then(() => notifications.close())
        .then(() => thread.request({ op: 'close' }))
        .then(() => worker.terminate())
        .then(() => {})
        .finally(unlock);
      return closing;
    },
  };
}
