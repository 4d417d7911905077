import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { newEventId, type RatingEvent } from '@onestop/protocol';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from './db.js';
import { ingestBatch } from './ingest.js';
import { openPgliteThread, Thread } from './pglite-thread.js';
import * as schema from './schema.js';

describe('PGlite in a worker thread', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteThread(null);
  });
  afterAll(() => store?.close());

  it('queries, and keeps drizzle’s raw types', async () => {
    const r = await store.db.execute(sql`select 1 as one, '2026-01-01T00:00:00Z'::timestamptz as at`);
    const row = (r as unknown as { rows: Array<{ one: number; at: unknown }> }).rows[0];
    expect(row?.one).toBe(1);
    expect(typeof row?.at).toBe('string');
    await store.db.insert(schema.units).values({ id: 'u1', name: 'One' });
    const [u] = await store.db.select().from(schema.units).where(eq(schema.units.id, 'u1'));
    expect(u?.createdAt).toBeInstanceOf(Date);
  });

  it('commits and rolls back transactions, and reports PostgreSQL errors with their code', async () => {
    await store.db.transaction(async (tx) => {
      await tx.insert(schema.units).values({ id: 'u2', name: 'Two' });
    });
    await expect(
      store.db.transaction(async (tx) => {
        await tx.insert(schema.units).values({ id: 'u3', name: 'Three' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const ids = (await store.db.select({ id: schema.units.id }).from(schema.units)).map((u) => u.id);
    expect(ids).toContain('u2');
    expect(ids).not.toContain('u3');
    const err = await store.db
      .insert(schema.units)
      .values({ id: 'u2', name: 'again' })
      .then(
        () => null,
        (e: unknown) => e as { cause?: { code?: string } },
      );
    expect(err?.cause?.code).toBe('23505');
  });

  it('runs the ingest', async () => {
    const payload: RatingEvent = {
      v: 1,
      eventId: newEventId(),
      deviceId: 'd1',
      bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f',
      seq: 1,
      ts: Date.now(),
      mono: 10,
      visitId: null,
      officerId: 'cb-a',
      dossierIds: [],
      ticket: null,
      scale: 'keypad4',
      level: 4,
      source: 'keypad',
      reasons: [],
      responseMs: 900,
    };
    const r = await ingestBatch(store.db, [{ unitId: 'u1', counterId: 'q1', type: 'rating', payload }]);
    expect(r.inserted).toHaveLength(1);
    expect(await store.db.$count(schema.ratings)).toBe(1);
  });
});

describe('a PGlite thread that dies', () => {
  const fakeWorker = () => Object.assign(new EventEmitter(), { ref() {}, unref() {} }) as unknown as Worker;

  it('reports a crash once, and fails every later query with the reason', async () => {
    const crashes: Error[] = [];
    const worker = fakeWorker();
    const thread = new Thread(worker, (e) => crashes.push(e));
    worker.emit('message', { id: 0, ok: true });
    await thread.ready;
    worker.emit('exit', 134);
    worker.emit('error', new Error('late'));
    expect(crashes.map((e) => e.message)).toEqual(['the PGlite thread has stopped (exit code 134)']);
    await expect(thread.request({ op: 'begin' })).rejects.toThrow('exit code 134');
  });

  it('does not report an exit on purpose as a crash', async () => {
    const crashes: Error[] = [];
    const worker = fakeWorker();
    const thread = new Thread(worker, (e) => crashes.push(e));
    worker.emit('message', { id: 0, ok: true });
    await thread.ready;
    thread.closing = true;
    worker.emit('exit', 0);
    expect(crashes).toEqual([]);
  });
});
